"""``gsmooth theory``: derive the AN-GD bound, compare published bounds, PEPit's worst case, the regime map.

Modes (one per call):

* default: the derived AN-GD bound for ``--rho`` and ``--beta``;
* ``--compare``: every applicable published bound and the derived one on the
  given constants (:func:`gsmooth.theory.compare`);
* ``--pep``: PEPit's worst case of GD under PL beside the derived and
  published contractions (:func:`gsmooth.theory.pl_worst_case`, extra ``gsmooth[pep]``);
* ``--map OUT.png``: the (rho, beta) regime map (in ``--format``, the file's suffix wins).

``--as text|latex|json`` says how the result is printed; with ``--out DIR`` it
is also saved as ``DIR/results.json`` (kind ``"theory"``), which ``gs.load``
reads back (:class:`gsmooth.theory.result.TheoryResult`).

Numbers are read exactly by one policy (:mod:`gsmooth._exact`): ``4/3`` as
given, ``0.6667`` as ``2/3`` (said in the output), ``--no-snap`` keeps decimals exact.

Examples
--------
>>> import argparse
>>> parser = argparse.ArgumentParser(prog="gsmooth")
>>> register(parser.add_subparsers(dest="command"))
>>> args = parser.parse_args(["theory", "--rho", "4/3", "--beta", "2/3", "--as", "json"])
>>> args.rho, args.beta, args.printed
('4/3', '2/3', 'json')
>>> parser.parse_args(["theory", "--compare", "--delta0", "5"]).Delta0
'5'
"""

from __future__ import annotations

import argparse
import json
import pathlib

from gsmooth.commands._shared import add_shared, export_table

CONSTANT_OPTIONS = ("L0", "L1", "mu", "eps", "Delta0")
COMPARE_OPTIONS = ("L0", "L1", "alpha", "rho", "mu", "beta", "Delta0", "gamma", "tau1", "tau2", "sigma", "M")


def register(subparsers) -> None:
    """Add the ``theory`` sub-command to ``subparsers``."""
    parser = subparsers.add_parser(
        "theory",
        help="derive AN-GD bounds, compare published bounds, PEPit worst cases, the (rho, beta) map",
        description="Derive the AN-GD bound under (L0, L1, alpha)-smoothness and generalized PL, or "
        "compare published bounds on given constants. Numbers stay exact: write fractions as 4/3; "
        "decimals such as 0.6667 are read as the simple fraction they round (said in the output).",
    )
    parser.add_argument("--rho", help="PL exponent in (0, 2], e.g. 4/3")
    parser.add_argument("--beta", help="normalization exponent in [0, 1], e.g. 2/3")
    parser.add_argument("--alpha", help="smoothness exponent in [0, 1] (default: symbolic; 1 with --compare)")
    parser.add_argument("--L0", help="known constant L0 (default: symbolic)")
    parser.add_argument("--L1", help="known constant L1 (default: symbolic)")
    parser.add_argument("--mu", help="PL constant mu (default: symbolic)")
    parser.add_argument("--eps", help="target accuracy; with --compare a comma list, e.g. 1e-2,1e-3")
    parser.add_argument("--Delta0", "--delta0", dest="Delta0", help="initial gap f(w0) - f*")
    for name, text in (("gamma", "step size (--compare, --pep)"), ("tau1", "relative noise constant"),
                       ("tau2", "absolute noise constant"), ("sigma", "noise standard deviation"),
                       ("M", "sup of ||grad f|| on the initial sublevel set")):
        parser.add_argument(f"--{name}", help=text)
    parser.add_argument("--compare", action="store_true", help="tabulate published bounds on the constants")
    parser.add_argument("--methods", help="with --compare: comma list, e.g. 'AN-GD,GD' (default: all)")
    parser.add_argument("--target", choices=("own", "gap"), default="own",
                        help="with --compare: each bound's own quantity, or f - f* <= eps via PL")
    parser.add_argument("--pep", action="store_true", help="PEPit worst case of GD under PL (L = --L0)")
    parser.add_argument("--steps", type=int, default=1, help="with --pep: number of GD steps (default 1)")
    parser.add_argument("--no-snap", action="store_true", help="keep decimals exact (0.6667 = 6667/10000)")
    parser.add_argument("--as", dest="printed", choices=("text", "latex", "json"), default="text",
                        help="how the result is printed (default text)")
    add_shared(parser, "theory", out_help="folder for results.json (the inputs and the result); "
               "nothing is written without it")
    parser.add_argument("--map", metavar="OUT.png", help="draw the (rho, beta) regime map to this file")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print the bound, the comparison or the worst case (or write the map); return the exit code."""
    if args.out is not None and (args.map is not None or args.pep):
        option = "--map" if args.map is not None else "--pep"
        raise ValueError(f"--out applies to a derivation or --compare, not to {option}; got --out {args.out}")
    if args.export is not None and args.out is None:
        raise ValueError(f"--export {args.export} writes into the --out folder; got no --out")
    if args.map is not None:
        return _map(args)
    if args.compare:
        return _compare(args)
    if args.pep:
        return _pep(args)
    return _derive(args)


def _map(args) -> int:
    from gsmooth.plots.style import check_format

    points = [(args.rho, args.beta)] if args.rho is not None and args.beta is not None else []
    path = pathlib.Path(args.map)
    path = path if path.suffix else path.with_suffix(f".{args.format}")
    check_format(path.suffix[1:].lower())
    from gsmooth.plots.regimes import regime_map

    regime_map(points=points, path=path)
    print(f"wrote {path}")
    return 0


def _save(result, args) -> None:
    """With ``--out``: write ``results.json`` and the table (``--export``); say what was written."""
    if args.out is None:
        return
    print(f"wrote {result.save(args.out)}")
    if result.comparison is not None:
        print(export_table(result, args.out, args.export))


def _derive(args) -> int:
    from gsmooth.theory.result import TheoryResult

    if args.rho is None or args.beta is None:
        raise ValueError("--rho and --beta are required unless --compare, --pep or --map is given, got "
                         f"rho = {args.rho}, beta = {args.beta}")
    constants = {name: getattr(args, name) for name in CONSTANT_OPTIONS if getattr(args, name) is not None}
    inputs = {"rho": args.rho, "beta": args.beta, "alpha": args.alpha, **constants}
    result = TheoryResult.derive(inputs, snap=not args.no_snap)
    bound = result.bound
    print({"text": bound.summary, "latex": bound.latex, "json": bound.to_json}[args.printed]())
    _save(result, args)
    return 0


def _compare(args) -> int:
    from gsmooth import theory
    from gsmooth.theory.result import TheoryResult

    if args.eps is None:
        raise ValueError("--compare needs --eps (a number or a comma list), got none")
    constants = {name: getattr(args, name) for name in COMPARE_OPTIONS if getattr(args, name) is not None}
    methods = None if args.methods is None else [name.strip() for name in args.methods.split(",")]
    table = theory.compare(constants, [value.strip() for value in args.eps.split(",")], methods,
                           target=None if args.target == "own" else "gap", snap=not args.no_snap)
    print(json.dumps(table.as_dict(), indent=2) if args.printed == "json" else str(table))
    _save(TheoryResult({**constants, "eps": args.eps}, comparison=table, snap=not args.no_snap), args)
    return 0


def _pep(args) -> int:
    from gsmooth import theory
    from gsmooth._exact import exact_fraction

    missing = [f"--{name}" for name in ("L0", "mu", "gamma") if getattr(args, name) is None]
    if missing:
        raise ValueError(f"--pep needs {', '.join(missing)} (L = L0, L1 = 0, rho = 2), got none")
    L, mu, gamma = (float(exact_fraction(getattr(args, name), name)) for name in ("L0", "mu", "gamma"))
    case = theory.pl_worst_case(L, mu, gamma, args.steps)
    print(json.dumps(case.as_dict(), indent=2) if args.printed == "json" else case.summary())
    return 0
