"""Every figure builder on saved results: no pyplot state, the requested format, text kept as text.

The saved results are small real outputs of the jobs (a verify report, a
reproduction, an estimate report, a sweep), written once per module; each
redraw is checked for the files it writes, their format, and that pyplot's
figure list and matplotlib's backend setting are what they were before.
"""

import re
import struct
import subprocess
import sys
import textwrap
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import matplotlib
import numpy as np
import pytest

import gsmooth as gs
from gsmooth.plots.style import STYLE

FORMATS = ("png", "pdf", "svg")

SWEEP = """
[sweep]
steps = 40
seeds = 2
[problems.power]
d = 4
[optimizers.an_gd]
lr = [0.01, 0.05, 30.0]
beta = [0.5, 1.0]
[optimizers.gd]
lr = 0.05
"""


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """One saved output of every job that draws, keyed by the job's redraw function."""
    root = tmp_path_factory.mktemp("saved")
    gs.verify("quadratic", beta="1", out=root / "verify", runs=2, eps_grid=[1e-2, 1e-3, 1e-4],
              progress=False)
    gs.reproduce("phase-retrieval", seeds=2, steps=30, problem_options={"m": 200, "d": 10},
                 out=root / "reproduce")
    problem = gs.problems.quadratic([0.5, 1.0, 3.0])
    res = gs.run(problem, gs.optim.gd(0.1), 60, w0=gs.estimate.spread_starts(problem, 3), capture=True,
                 progress=False)
    estimates = {"smoothness": gs.estimate.smoothness(problem, res, n_resamples=4),
                 "pl": gs.estimate.pl(problem, res, n_resamples=4)}
    gs.estimate.write_report(root / "estimate", estimates)
    with ThreadPoolExecutor(1) as pool:
        gs.sweep.run_sweep(gs.sweep.parse_spec(SWEEP), root / "sweep", executor=pool, progress=False)
    return {
        "verify": (gs.verification.redraw, root / "verify"),
        "reproduce": (gs.reproduction.redraw, root / "reproduce"),
        "estimate": (gs.estimate.redraw, root / "estimate"),
        "sweep": (gs.sweep.redraw, root / "sweep"),
    }


def _pyplot_state():
    import matplotlib.pyplot as plt

    return plt.get_fignums(), matplotlib.rcParams._get("backend")


@pytest.mark.parametrize("format", FORMATS)
@pytest.mark.parametrize("job", ["verify", "reproduce", "estimate", "sweep"])
def test_every_job_redraws_in_the_format_without_pyplot_state(saved, job, format):
    redraw, folder = saved[job]
    before, settings = _pyplot_state(), {key: matplotlib.rcParams[key] for key in STYLE}
    paths = redraw(folder, format=format)
    assert paths and all(Path(p).suffix == f".{format}" and Path(p).stat().st_size > 1000 for p in paths)
    assert _pyplot_state() == before
    assert {key: matplotlib.rcParams[key] for key in STYLE} == settings     # the style was a context


@pytest.mark.parametrize("job", ["verify", "reproduce", "estimate", "sweep"])
def test_a_bad_format_is_refused_before_anything_is_written(saved, job):
    redraw, folder = saved[job]
    before = {p: p.stat().st_mtime_ns for p in Path(folder).rglob("*")}
    with pytest.raises(ValueError, match=r"format must be one of 'png', 'pdf', 'svg', got 'jpg'"):
        redraw(folder, format="jpg")
    assert {p: p.stat().st_mtime_ns for p in Path(folder).rglob("*")} == before


def test_png_is_150_dpi_and_at_most_seven_inches_wide(saved):
    redraw, folder = saved["reproduce"]
    for path in redraw(folder):
        width, height = struct.unpack(">II", Path(path).read_bytes()[16:24])
        assert width <= 7 * 150 and height > 300
        dpi = _png_dpi(Path(path).read_bytes())
        assert dpi == pytest.approx(150, abs=0.5)


def _png_dpi(data: bytes) -> float:
    at = data.index(b"pHYs")
    per_metre = struct.unpack(">I", data[at + 4:at + 8])[0]
    return per_metre * 0.0254


def test_svg_keeps_text_as_text(saved):
    redraw, folder = saved["reproduce"]
    svg = Path(redraw(folder, format="svg")[0]).read_text()
    assert svg.count("<text") > 10
    assert "samples drawn" in svg and "IAN-SGD" in svg


def test_pdf_keeps_text_as_text(saved):
    redraw, folder = saved["reproduce"]
    pdf = Path(redraw(folder, format="pdf")[0]).read_bytes()
    assert b"/Font" in pdf and b"/FontFile2" in pdf      # embedded TrueType (fonttype 42), not Type 3
    streams = [zlib.decompress(chunk) for chunk in _streams(pdf)]
    operators = b"\n".join(streams)
    assert b"BT" in operators and (b"Tj" in operators or b"TJ" in operators)


def _streams(pdf: bytes):
    start = 0
    while (at := pdf.find(b"stream\n", start)) != -1:
        end = pdf.find(b"endstream", at)
        chunk = pdf[at + 7:end].rstrip(b"\r\n")
        start = end
        try:
            zlib.decompress(chunk)
        except zlib.error:
            continue
        yield chunk


@pytest.mark.parametrize("format", FORMATS)
def test_path_builders_take_the_format_and_check_the_suffix(tmp_path, format):
    table = gs.theory.compare({"L0": 4, "L1": 0, "rho": 2, "mu": 1, "alpha": 0, "beta": 0, "Delta0": 1},
                              [1e-2, 1e-4], methods=["GD"], target="gap")
    ax = gs.plots.rate_comparison(table, {"eps": [1e-2, 1e-4], "T": [[3, 4], [7, 9]]},
                                  path=tmp_path / "compare", format=format)
    assert (tmp_path / f"compare.{format}").stat().st_size > 1000 and ax.figure.legends
    gs.plots.regime_map(points=[(1.0, 0.5, "a point")], path=tmp_path / f"map.{format}")
    assert (tmp_path / f"map.{format}").is_file()
    with pytest.raises(ValueError, match=r"does not end in \.png, the format given"):
        gs.plots.regime_map(path=tmp_path / f"map.{format}x", format="png")


def test_the_library_never_switches_the_backend_or_imports_pyplot():
    source = Path(gs.__file__).parent
    pattern = re.compile(r"matplotlib\.use\(|import matplotlib\.pyplot|from matplotlib import pyplot|"
                         r"matplotlib\.pyplot\.")
    offenders = [str(path.relative_to(source)) for path in source.rglob("*.py")
                 if pattern.search(path.read_text())]
    assert offenders == []


def test_builders_in_a_fresh_interpreter_never_load_pyplot(saved):
    folders = {job: str(folder) for job, (_, folder) in saved.items()}
    script = textwrap.dedent(f"""
        import sys
        import matplotlib
        import gsmooth as gs
        import gsmooth.estimate, gsmooth.reproduction, gsmooth.sweep, gsmooth.verification
        backend = matplotlib.rcParams._get("backend")
        folders = {folders!r}
        gs.verification.redraw(folders["verify"])
        gs.reproduction.redraw(folders["reproduce"], format="svg")
        gs.estimate.redraw(folders["estimate"], format="pdf")
        gs.sweep.redraw(folders["sweep"])
        gs.plots.regime_map(points=[(1.3, 1.0, "p"), (1.33, 1.0, "q")], path=folders["sweep"] + "/m.png")
        assert "matplotlib.pyplot" not in sys.modules, "pyplot was imported"
        assert matplotlib.rcParams._get("backend") == backend, "the backend setting changed"
        print("clean")
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "clean"


def test_sweep_figure_keeps_the_diverged_runs_out_of_the_range(saved):
    from gsmooth.plots.sweep import sweep_figure
    from gsmooth.sweep.draw import curves

    (title, members), = curves(saved["sweep"][1]).items()
    diverged = [c for c in members if np.all(gs.engine.result.failed(c.status))]
    assert diverged, "the spec's lr = 30 must diverge, or this test shows nothing"
    assert max(np.nanmax(c.values) for c in diverged) > 1e6
    fig = sweep_figure(title, members)
    top = max(ax.get_ylim()[1] for ax in fig.axes if ax.get_visible())
    starts = max(float(np.median(c.values[0])) for c in members)
    assert top <= 10 * starts * 2      # a decade above the start and its margin, not 1e16 or 1.5e5
    notes = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert any("runs diverged" in text and "= 30" in text for text in notes)
    assert all(ax.get_xscale() == "log" and ax.get_yscale() == "log" for ax in fig.axes if ax.get_visible())


def test_regime_map_stays_a_function_after_its_module_is_imported():
    import gsmooth.plots.regimes  # noqa: F401  (what the verification report does)

    assert callable(gs.plots.regime_map)


def test_the_jobs_take_the_format_and_refuse_a_bad_one_before_running(tmp_path):
    with pytest.raises(ValueError, match="got 'gif'"):
        gs.reproduce("phase-retrieval", seeds=1, steps=5, out=tmp_path / "r", format="gif")
    with pytest.raises(ValueError, match="got 'gif'"):
        gs.verify("quadratic", beta="1", out=tmp_path / "v", runs=1, format="gif")
    assert list(tmp_path.iterdir()) == []
    rep = gs.reproduce("phase-retrieval", seeds=1, steps=5, problem_options={"m": 50, "d": 4},
                       out=tmp_path / "r", format="svg")
    assert sorted(p.name for p in (tmp_path / "r").glob("*.svg")) == ["loss_vs_iterations.svg",
                                                                      "loss_vs_samples.svg"]
    assert rep.to_json()["kind"] == "reproduce"
