"""The figure policies, each on a case built to break it: the style over the whole figure, series
styles, human titles, data ranges without diverged runs, log ticks, legends and labels that do not
overlap, the fitted law above the data's floor, facets of a sweep."""

import itertools
from types import SimpleNamespace

import matplotlib
import numpy as np
import pytest

from gsmooth.engine.result import DIVERGED
from gsmooth.plots.axes import data_range, legend_below, narrow_log_ticks, place_labels, tidy_log_ticks
from gsmooth.plots.curves import band, draw_bands
from gsmooth.plots.labels import math_text, problem_title, series_style, series_styles
from gsmooth.plots.rates import decay_plot_data, order_text, teps_plot_data
from gsmooth.plots.style import figure_path, new_figure, save_figure, styled
from gsmooth.plots.sweep import SweepCurve, facets, panel_titles, sweep_figure
from gsmooth.rates import fit_decay


@styled
def _built_outside_any_context():
    fig, (ax,) = new_figure()
    ax.plot([1, 2], [3, 4], label="a")
    ax.set_title("a title")
    legend_below(fig, *ax.get_legend_handles_labels())
    return fig


def test_the_style_reaches_artists_made_after_the_axes_and_is_undone_afterwards():
    before = matplotlib.rcParams["legend.fontsize"], matplotlib.rcParams["axes.titlesize"]
    fig = _built_outside_any_context()
    (ax,) = fig.axes
    assert fig.legends[0].get_texts()[0].get_fontsize() == 8
    assert ax.title.get_fontsize() == 10
    assert (matplotlib.rcParams["legend.fontsize"], matplotlib.rcParams["axes.titlesize"]) == before


def test_one_panel_is_one_paper_column_and_a_row_never_exceeds_the_text_width():
    assert new_figure()[0].get_size_inches()[0] == pytest.approx(3.4)
    assert new_figure(ncols=4)[0].get_size_inches()[0] == pytest.approx(7.0)


def test_the_legend_grows_the_figure_instead_of_squeezing_the_panel():
    fig, (ax,) = new_figure()
    height = fig.get_size_inches()[1]
    lines = [ax.plot([0, 1], [0, i])[0] for i in range(12)]
    legend_below(fig, lines, [f"a rather long method name {i}" for i in range(12)])
    assert fig.get_size_inches()[1] > height + 0.5


def test_figure_path_follows_the_format_and_refuses_a_contradiction():
    assert figure_path("a/b", "pdf").name == "b.pdf"
    assert figure_path("a/b.svg").name == "b.svg" and figure_path("a/b").name == "b.png"
    with pytest.raises(ValueError, match="format must be one of 'png', 'pdf', 'svg', got 'eps'"):
        figure_path("a/b", "eps")
    with pytest.raises(ValueError, match=r"does not end in \.pdf"):
        figure_path("a/b.svg", "pdf")


def test_save_writes_nothing_for_a_bad_suffix(tmp_path):
    fig, _ = new_figure()
    with pytest.raises(ValueError, match="got 'jpg'"):
        save_figure(fig, tmp_path / "f.jpg")
    assert list(tmp_path.iterdir()) == []


def test_series_styles_are_distinct_and_follow_the_label_order():
    looks = [(s.color, s.linestyle, s.marker) for s in map(series_style, range(49))]
    assert len(set(looks)) == 49
    first, second = series_styles(["SGD", "IAN-SGD"]), series_styles(["SGD", "IAN-SGD", "extra"])
    assert first["IAN-SGD"] == second["IAN-SGD"] and first["SGD"] != first["IAN-SGD"]
    assert all(a.color != b.color for a, b in itertools.combinations(series_styles(range(7)).values(), 2))


@pytest.mark.parametrize("name, title", [
    ("phase_retrieval(m=3000, d=100)", "Phase retrieval, $m = 3000$, $d = 100$"),
    ("quadratic(1, 4)", r"Quadratic, $\lambda$ = 1, 4"),
    ("mlp(hidden=32, tanh)", "MLP on digits, 32 hidden units, tanh"),
    ("dro(life_expectancy, released)", "Chi-square DRO, WHO life expectancy, released preprocessing"),
    ("my function", "my function"),
])
def test_problem_titles_are_words_not_code(name, title):
    assert problem_title(name) == title


def test_math_text_typesets_settings_and_leaves_words_alone():
    assert math_text("IAN-SGD, tau1 = 0.25") == r"IAN-SGD, $\tau_1 = 0.25$"
    assert math_text("AN-GD, rho + beta > 2") == r"AN-GD, $\rho + \beta$ > 2"
    assert math_text("SGD") == "SGD" and math_text("betamax = 3") == "betamax = 3"


def test_theory_orders_never_read_eps_to_the_minus_zero():
    assert order_text(0.0, True) == r"$\log(\Delta_0/\epsilon)$"
    assert order_text(0.0, False) == "$1$"
    assert order_text(0.5, True) == r"$\epsilon^{-0.5}\,\log(\Delta_0/\epsilon)$"
    sweep = {"eps": [1e-2, 1e-4], "T": [4, 8], "log_T_bound": [2.0, 3.0], "predicted": [0.0, 0.0],
             "log_factor": True, "delta0": 1.0}
    assert "^{-0}" not in teps_plot_data(sweep).label


def test_diverged_runs_and_excursions_do_not_set_the_range():
    x = np.arange(1, 51, dtype=float)
    good = np.exp(-x / 5)[:, None] * [1.0, 1.2, 0.9]
    spiky = good.copy()
    spiky[10, 1] = 1e12                                  # a run that came back: kept, but capped
    runaway = np.exp(x)[:, None] * [1.0, 1.0]            # diverged, status says so
    _, (ax,) = new_figure()
    draw_bands(ax, {"kept": band(x, spiky, quantiles=(0, 1)),
                    "lost": band(x, np.column_stack([good[:, 0], runaway[:, 0] * 1e13]),
                                 status=[0, DIVERGED])})
    low, high = ax.get_ylim()
    assert high < 20 and low < good.min()
    assert [line.get_label() for line in ax.get_lines()] == ["kept", "lost (1 of 2 diverged)"]


def test_data_range_is_none_without_data_and_keeps_a_modest_margin():
    assert data_range([np.array([np.nan, -1.0])]) is None
    low, high = data_range([np.array([1e-60, 1.0])])
    assert high < 2.0 and low > 1e-61


def test_narrow_log_axes_get_readable_ticks_and_no_minor_labels():
    assert narrow_log_ticks(3.0e3, 6.5e3) == [3000.0, 4000.0, 5000.0, 6000.0]
    fig, (ax,) = new_figure()
    ax.loglog([3e3, 6e3], [1, 2])
    ax.set_xlim(2.5e3, 7e3)
    tidy_log_ticks(ax)
    fig.draw_without_rendering()
    majors = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    minors = [t.get_text() for t in ax.xaxis.get_minorticklabels() if t.get_text()]
    assert majors == ["3000", "4000", "5000", "6000", "7000"] and minors == []


def test_legend_takes_the_most_columns_that_fit_the_width():
    fig, (ax,) = new_figure()
    short = legend_below(fig, [ax.plot([], [])[0] for _ in range(3)], ["a", "b", "c"])
    assert short._ncols == 3
    fig, (ax,) = new_figure()
    long = legend_below(fig, [ax.plot([], [])[0] for _ in range(4)], ["a long label of a method " * 2] * 4)
    assert long._ncols == 1
    renderer = fig.canvas.get_renderer()
    assert long.get_window_extent(renderer).width <= fig.bbox.width


def test_point_labels_near_each_other_never_overlap_and_stay_on_the_figure():
    fig, (ax,) = new_figure()
    ax.set(xlim=(0, 2), ylim=(0, 1))
    points = [(1.3, 1.0), (1.33, 1.0), (1.0, 0.5), (1.05, 0.52), (1.1, 0.5), (2.0, 0.0)]
    labels, clear = place_labels(ax, points, [f"label number {k}" for k in range(len(points))])
    renderer = fig.canvas.get_renderer()
    boxes = [label.get_window_extent(renderer) for label in labels]
    assert len(labels) < len(points)                     # the two at the top share one label
    assert clear and all(not a.overlaps(b) for a, b in itertools.combinations(boxes, 2))
    assert all(fig.bbox.x0 <= b.x0 and b.x1 <= fig.bbox.x1 for b in boxes)


def test_the_fitted_law_is_never_drawn_below_the_floor_of_the_data():
    t = np.arange(0, 400)
    gaps = np.maximum(0.9 ** t.astype(float), 1e-15)[:, None] * [1.0, 1.1]
    fit = fit_decay(t[:300], gaps[:300]).as_dict()
    fit["span"] = [1, 399]                               # a law claimed past the floor
    data = decay_plot_data(t, gaps, fit)
    assert np.nanmin(data.law) >= np.nanmin(data.band.low)
    assert np.isnan(data.law[-1])


def _curve(method, lr, beta, status=(0, 0), top=1.0):
    one = np.geomspace(top, top * 1e-3, 5)[:, None] * np.ones((1, len(status)))
    samples = np.arange(5)[:, None] * np.ones((1, len(status)))
    return SweepCurve(method, (("lr", lr), ("beta", beta), ("steps", 4)), samples, one,
                      np.asarray(status), name=method)


def test_facets_put_one_method_per_row_and_colour_the_first_varying_setting():
    curves = [_curve("an_gd", lr, beta) for beta in (0.0, 1.0) for lr in (0.1, 0.2, 0.3)]
    curves += [_curve("ian_sgd", lr, 1.0) for lr in (0.1, 0.2)]
    panels = facets(curves)
    assert [(p.method, p.facet, p.colour, len(p.curves)) for p in panels] == [
        ("an_gd", (("beta", 0.0),), "lr", 3), ("an_gd", (("beta", 1.0),), "lr", 3),
        ("ian_sgd", (), "lr", 2)]
    assert panel_titles(panels) == [r"AN-GD, $\beta = 0$", r"AN-GD, $\beta = 1$", "IAN-SGD"]


def test_methods_without_a_grid_share_a_panel_and_twins_are_told_apart():
    single = facets([_curve("gd", 0.1, 0.0), _curve("sgd", 0.1, 0.0)])
    assert len(single) == 1 and single[0].method is None
    twins = [SweepCurve(label, (("lr", lr), ("beta", beta)), np.ones((3, 1)), np.ones((3, 1)), np.zeros(1),
                        name="an_gd") for label, beta in (("a", 1.0), ("b", 0.5)) for lr in (0.1, 0.2)]
    assert panel_titles(facets(twins)) == [r"AN-GD, $\beta = 1$", r"AN-GD, $\beta = 0.5$"]


def test_a_large_grid_keeps_a_short_legend_and_shared_log_axes():
    curves = [_curve(method, lr, beta) for method in ("an_gd", "ian_sgd") for beta in (0.0, 0.5, 1.0)
              for lr in (0.001, 0.003, 0.01, 0.03, 0.1)]
    curves.append(_curve("an_gd", 0.3, 1.0, status=(DIVERGED, DIVERGED), top=1e13))
    fig = sweep_figure("thirty-one curves", curves)
    (legend,) = fig.legends
    assert len(legend.get_texts()) == 6                 # the six step sizes, not 31 curves
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == 6 and len({ax.get_ylim() for ax in visible}) == 1
    assert visible[0].get_ylim()[1] < 100
    assert all(ax.get_xscale() == "log" for ax in visible)
    assert fig.get_size_inches()[0] <= 7.0


def test_torch_block_figure_draws_from_plain_tables(tmp_path):
    from gsmooth.plots.torch_probe import block_smoothness_figure

    rng = np.random.default_rng(0)
    g = rng.lognormal(size=40)
    table = {"block": np.array(["all"] * 40), "grad_norm": g, "hessian_norm": 1 + 2 * g ** 0.8,
             "directional": 0.5 + g ** 0.9}
    estimate = SimpleNamespace(L0=1.0, L1=2.0, alpha=0.8, intervals=None, envelope=lambda x: 1 + 2 * x ** 0.8)
    path = block_smoothness_figure({"SGD": table, "IAN-SGD": table}, {"all": estimate}, tmp_path / "b",
                                   format="svg")
    assert path.endswith("b.svg") and "<text" in (tmp_path / "b.svg").read_text()
