"""``gsmooth reproduce phase-retrieval|dro``: the paper's experiments over many seeds."""

from __future__ import annotations

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
    parser.add_argument("--seeds", type=int, default=10, help="number of seeds (default 10)")
    parser.add_argument("--out", default=None,
                        help="output folder (default: reproduce-EXPERIMENT[-ABLATION])")
    parser.add_argument("--device", default="numpy", choices=("numpy", "cupy", "array-api-strict"))
    parser.add_argument("--data", default=None,
                        help="DRO: the WHO life-expectancy CSV (synthetic data if omitted)")
    parser.add_argument("--released", action="store_true",
                        help="keep the released script's behaviour where it departs from the "
                        "paper (DRO: the label-leaking preprocessing of the published figure)")
    parser.add_argument("--ablation", choices=ABLATIONS, default=None,
                        help="run one IAN-SGD ablation instead of the method comparison")
    parser.add_argument("--steps", type=int, default=None,
                        help="stochastic steps (default: the paper's budget)")
    parser.add_argument("--problem-seed", type=int, default=None,
                        help="seed of the problem instance (phase retrieval: data and start, "
                        "default 2024; DRO: target noise and start, default 0, or with --released "
                        "and --data the released script's own draws)")
    parser.add_argument("--dtype", default="float64", choices=("float64", "float32"))
    parser.set_defaults(func=run)


def run(args) -> int:
    """Run the reproduction, write its folder and print its table."""
    from gsmooth._io import check_output_dir
    from gsmooth.reproduction import reproduce

    out = args.out or "-".join(["reproduce", args.experiment, *filter(None, [args.ablation])])
    check_output_dir(out, "--out")
    options = {} if args.problem_seed is None else {"seed": args.problem_seed}
    rep = reproduce(args.experiment, seeds=args.seeds, out=out, device=args.device,
                    data=args.data, released=args.released, ablation=args.ablation,
                    steps=args.steps, problem_options=options, dtype=args.dtype)
    print(rep.table())
    print(f"wrote {out}/results.json, {out}/curves.npz and figures")
    return 0
