"""Regenerate the README's reproduction figures and tables into analysis/figures/.

* ``reproduce_phase_retrieval.png`` (loss against samples, 20 seeds) and its
  table ``reproduce_phase_retrieval.txt``;
* ``reproduce_dro.png`` (Psi against samples on the WHO data, clean
  preprocessing) and ``reproduce_dro.txt``; with ``--released`` also the
  released (label-leaking) preprocessing, ``reproduce_dro_released.*``;
* with ``--ablations``, ``ablation_phase_retrieval_<name>.png`` for each ablation.

Run data (results.json, curves.npz) go to a temporary folder; only figures
and tables are kept.  Run ``python analysis/reproduce_figures.py [--seeds 20]
[--data PATH] [--released] [--ablations] [--device cupy]``.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

import gsmooth as gs
from gsmooth.reproduction.experiments.ablations import ABLATIONS

FIGURES = Path(__file__).resolve().parent / "figures"
WHO = Path(__file__).resolve().parents[2] / "shared" / "data" / "life_expectancy_who.csv"


def reproduce_into(name, figure, scratch, **options):
    """Run one reproduction in ``scratch``; copy ``figure`` and the table into FIGURES."""
    folder = scratch / name
    rep = gs.reproduce(out=folder, progress=False, **options)
    shutil.copyfile(folder / figure, FIGURES / f"{name}.png")
    (FIGURES / f"{name}.txt").write_text(rep.table() + "\n")
    print(rep.table(), end="\n\n")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--data", default=str(WHO), help="WHO life-expectancy CSV")
    parser.add_argument("--released", action="store_true",
                        help="also the DRO run with the released preprocessing")
    parser.add_argument("--ablations", action="store_true", help="also the PR ablations")
    parser.add_argument("--device", default="numpy", choices=["numpy", "cupy"])
    args = parser.parse_args(argv)
    FIGURES.mkdir(exist_ok=True)
    common = {"seeds": args.seeds, "device": args.device}
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        reproduce_into("reproduce_phase_retrieval", "loss_vs_samples.png", scratch,
                       experiment="phase-retrieval", **common)
        dro_runs = [("reproduce_dro", False)] + ([("reproduce_dro_released", True)]
                                                 if args.released else [])
        for name, released in dro_runs:
            reproduce_into(name, "loss_vs_samples.png", scratch, experiment="dro",
                           data=args.data, released=released, **common)
        for ablation in ABLATIONS if args.ablations else ():
            reproduce_into(f"ablation_phase_retrieval_{ablation}", f"ablation_{ablation}.png",
                           scratch, experiment="phase-retrieval", ablation=ablation, **common)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
