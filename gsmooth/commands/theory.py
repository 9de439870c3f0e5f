"""``gsmooth theory``: derive the AN-GD bound for (rho, beta), or draw the regime map.

Examples
--------
>>> import argparse
>>> parser = argparse.ArgumentParser(prog="gsmooth")
>>> register(parser.add_subparsers(dest="command"))
>>> args = parser.parse_args(["theory", "--rho", "4/3", "--beta", "2/3", "--format", "json"])
>>> args.rho, args.beta, args.format
('4/3', '2/3', 'json')
"""

from __future__ import annotations

import argparse

CONSTANT_OPTIONS = ("L0", "L1", "mu", "eps", "Delta0")


def register(subparsers) -> None:
    """Add the ``theory`` sub-command to ``subparsers``."""
    parser = subparsers.add_parser(
        "theory",
        help="derive AN-GD step size, T(eps) and decay law; draw the (rho, beta) regime map",
        description="Derive the AN-GD bound under (L0, L1, alpha)-smoothness and generalized PL. "
        "Numbers stay exact: write fractions as 4/3.",
    )
    parser.add_argument("--rho", help="PL exponent in (0, 2], e.g. 4/3")
    parser.add_argument("--beta", help="normalization exponent in [0, 1], e.g. 2/3")
    parser.add_argument("--alpha", help="smoothness exponent in [0, 1] (default: symbolic)")
    for name in CONSTANT_OPTIONS:
        parser.add_argument(f"--{name}", help=f"known constant {name} (default: symbolic)")
    parser.add_argument("--format", choices=("text", "latex", "json"), default="text")
    parser.add_argument("--map", metavar="OUT.png", help="draw the (rho, beta) regime map to this file")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print the bound (or write the map); return the exit code."""
    from gsmooth import theory

    if args.map is not None:
        points = [(args.rho, args.beta)] if args.rho is not None and args.beta is not None else []
        from gsmooth.plots.regime_map import regime_map

        regime_map(points=points, path=args.map)
        print(f"wrote {args.map}")
        return 0
    if args.rho is None or args.beta is None:
        raise ValueError("--rho and --beta are required unless --map is given, got "
                         f"rho = {args.rho}, beta = {args.beta}")
    constants = {name: getattr(args, name) for name in CONSTANT_OPTIONS if getattr(args, name) is not None}
    bound = theory.an_gd_bound(args.rho, args.beta, args.alpha, **constants)
    print({"text": bound.summary, "latex": bound.latex, "json": bound.to_json}[args.format]())
    return 0
