"""``gsmooth reproduce phase-retrieval|dro``: the paper's experiments over many seeds."""

from __future__ import annotations

from gsmooth.commands._shared import add_shared, export_table, out_folder, positive_int, progress

EXPERIMENTS = ("phase-retrieval", "dro")
ABLATIONS = ("beta", "batch2", "delta", "tau")


def register(subparsers) -> None:
    """Add the ``reproduce`` sub-command."""
    parser = subparsers.add_parser(
        "reproduce",
        help="reproduce the paper's experiments (IAN-SGD against its baselines)",
        description="Run one of the paper's experiments with its settings: every method as one "
        "batched run over all seeds, curves cut at a common sample budget, a table of final "
        "values and samples to a target, results.json and figures in --out.",
    )
    parser.add_argument("experiment", choices=EXPERIMENTS)
    add_shared(parser, "reproduce", seeds=10, seeds_help="seeds of every method's streams",
               out_help="results folder: results.json, curves.npz, figures")
    parser.add_argument("--data", default=None,
                        help="DRO: the WHO life-expectancy CSV (synthetic data if omitted)")
    parser.add_argument("--released", action="store_true",
                        help="keep the released script's behaviour where it departs from the "
                        "paper (DRO: the label-leaking preprocessing of the published figure)")
    parser.add_argument("--ablation", choices=ABLATIONS, default=None,
                        help="run one IAN-SGD ablation instead of the method comparison")
    parser.add_argument("--steps", type=positive_int, default=None,
                        help="stochastic steps (default: the paper's budget)")
    parser.add_argument("--problem-seed", type=int, default=None,
                        help="seed of the problem instance (phase retrieval: data and start, "
                        "default 2024; DRO: target noise and start, default 0, or with --released "
                        "and --data the released script's own draws)")
    parser.add_argument("--kernels", choices=("numpy", "numba"), default="numpy",
                        help="phase retrieval: fused numba kernels for the objective and the "
                        "minibatch gradients (extra gsmooth[numba]; default numpy)")
    parser.set_defaults(func=run, default_out=lambda args: out_folder(
        "reproduce", "-".join(filter(None, [args.experiment, args.ablation]))))


def run(args) -> int:
    """Run the reproduction, write its folder and print its table."""
    from gsmooth._io import staged_folder
    from gsmooth.reproduction import reproduce

    options = {} if args.problem_seed is None else {"seed": args.problem_seed}
    if args.kernels != "numpy":
        if args.experiment != "phase-retrieval":
            raise ValueError(f"--kernels {args.kernels} applies to phase-retrieval only, "
                             f"got experiment {args.experiment!r}")
        options["kernels"] = args.kernels
    with staged_folder(args.out) as stage:  # the result and its table replace the old ones together
        rep = reproduce(args.experiment, seeds=args.seeds, out=stage, device=args.device,
                        data=args.data, released=args.released, ablation=args.ablation,
                        steps=args.steps, problem_options=options, dtype=args.dtype,
                        progress=progress(args), format=args.format)
        table = export_table(rep, args.out, args.export, stage=stage)
    print(rep.table())
    print(f"wrote {args.out}/results.json, {args.out}/curves.npz and figures")
    print(table)
    return 0
