"""Axis policies shared by every figure: data ranges, log ticks, legends outside the data, notes.

* :func:`data_range` is the range a log (or linear) axis shows: the finite
  values of the runs that did not diverge, with a small margin; a cap (e.g. a
  decade above the starting values) keeps one transient excursion to 1e13
  from squashing every other curve;
* :func:`tidy_log_ticks` labels only decades, or 1-2-5 steps on an axis
  that spans less than a decade, so minor tick labels never overlap;
* :func:`legend_below` puts the legend under the panels, in as many columns
  as fit (labels wrapped when one column is too wide);
* :func:`note` writes a short remark (why an axis is linear, what was left
  out) in a corner of a panel.

Examples
--------
>>> import numpy as np
>>> data_range([np.array([1e-3, 1.0, np.inf]), np.array([1e13])], cap=10.0)
(0.000692, 14.5)
"""

from __future__ import annotations

import re

import numpy as np

LEGEND_ROW, LEGEND_CHAR = 0.18, 0.06
"""Height of one legend row and width of one character at 8 pt, in inches."""
MAX_COLUMNS = 6
NARROW_DECADES, MAX_TICKS = 2.0, 6
"""A log axis spanning fewer decades gets ticks between the decades, at most ``MAX_TICKS``."""
MARGIN, MAX_LOG_MARGIN = 0.04, 0.25
"""Fraction of the (log) span added on each side of the data, at most a quarter decade."""


def data_range(arrays, *, log: bool = True, cap: float | None = None, floor: float | None = None):
    """``(low, high)`` covering the finite (positive, on a log axis) values of ``arrays``.

    Parameters
    ----------
    arrays : iterable of array_like
        Values of the runs to show (diverged runs already left out).
    log : bool
        Range of a log axis (only positive values count, margins in decades).
    cap, floor : float, optional
        Upper and lower limits of the data part of the range.

    Returns
    -------
    (float, float) or None
        ``None`` when no value qualifies.
    """
    values = np.concatenate([np.asarray(a, dtype=float).reshape(-1) for a in arrays] or [np.empty(0)])
    values = values[np.isfinite(values) & ((values > 0) if log else True)]
    if cap is not None:
        values = np.minimum(values, cap)
    if floor is not None:
        values = np.maximum(values, floor)
    if values.size == 0:
        return None
    low, high = float(values.min()), float(values.max())
    if log:
        span = max(np.log10(high) - np.log10(low), 0.2)
        pad = 10 ** min(MARGIN * span, MAX_LOG_MARGIN)
        return float(f"{low / pad:.3g}"), float(f"{high * pad:.3g}")
    span = (high - low) or max(abs(high), 1.0)
    return low - MARGIN * span, high + MARGIN * span


def set_range(ax, axis: str, limits) -> None:
    """Set the x or y limits of ``ax`` to ``limits`` unless it is ``None``."""
    if limits is not None:
        (ax.set_xlim if axis == "x" else ax.set_ylim)(*limits)


def tidy_log_ticks(ax) -> None:
    """Label the log axes of ``ax`` at decades, or, on a view narrower than
    :data:`NARROW_DECADES`, at the first of decades, 1-2-5 or 1-9 steps that gives three to
    :data:`MAX_TICKS` ticks (else two; plain numbers between 1e-3 and 1e5); never label minor
    ticks."""
    from matplotlib.ticker import (
        FixedLocator,
        FuncFormatter,
        LogFormatterSciNotation,
        LogLocator,
        NullFormatter,
    )

    for axis, scale, limits in ((ax.xaxis, ax.get_xscale(), ax.get_xlim()),
                                (ax.yaxis, ax.get_yscale(), ax.get_ylim())):
        if scale != "log":
            continue
        low, high = sorted(limits)
        axis.set_minor_formatter(NullFormatter())
        if low > 0 and np.log10(high) - np.log10(low) < NARROW_DECADES:
            axis.set_major_locator(FixedLocator(narrow_log_ticks(low, high)))
            plain = 1e-3 <= low and high < 1e5
            axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}") if plain
                                     else LogFormatterSciNotation(labelOnlyBase=False))
        else:
            axis.set_major_locator(LogLocator(base=10, numticks=_tick_room(ax, axis is ax.xaxis)))


def _tick_room(ax, horizontal: bool) -> int:
    """How many decade labels fit along an axis: about three per inch, at least three."""
    box = ax.get_position()
    width, height = ax.figure.get_size_inches()
    return max(3, int(3 * (box.width * width if horizontal else box.height * height)))


def narrow_log_ticks(low: float, high: float) -> list:
    """Ticks for a narrow log axis from ``low`` to ``high``: decades, 1-2-5 steps, or 1-9.

    Examples
    --------
    >>> narrow_log_ticks(1.7e4, 4.3e4), narrow_log_ticks(1.5, 9.5), narrow_log_ticks(4.5, 60)
    ([20000.0, 30000.0, 40000.0], [2.0, 5.0], [5.0, 10.0, 20.0, 50.0])
    """
    decades = np.arange(np.floor(np.log10(low)), np.ceil(np.log10(high)) + 1)
    candidates = [[float(f"{m * 10 ** d:.6g}") for d in decades for m in subs if low <= m * 10 ** d <= high]
                  for subs in ((1.0,), (1.0, 2.0, 5.0), tuple(range(1, 10)))]
    for fewest in (3, 2):
        for ticks in candidates:
            if fewest <= len(ticks) <= MAX_TICKS:
                return ticks
    finest = candidates[-1]
    if len(finest) > MAX_TICKS:
        return finest[::2]
    return finest if len(finest) >= 2 else [float(f"{low:.2g}"), float(f"{high:.2g}")]


def legend_below(fig, handles, labels, *, ncols: int | None = None, title: str | None = None, **options):
    """A legend under all panels of ``fig``, in ``ncols`` columns (default: the most that fit).

    The figure grows by the legend's height, so the panels keep their size
    however many entries there are; the columns are measured on the
    rendered text.  ``options`` go to :meth:`matplotlib.figure.Figure.legend`.
    """
    if not handles:
        return None
    width, height = fig.get_size_inches()
    for n in ([ncols] if ncols else range(min(len(labels), MAX_COLUMNS), 0, -1)):
        legend = fig.legend(handles, labels, loc="outside lower center", ncols=n, title=title, **options)
        if n == 1 or ncols or _width_inches(fig, legend) <= width:
            break
        legend.remove()
    if n == 1 and _width_inches(fig, legend) > width:
        legend.remove()
        labels = [wrap_label(label, int(width / LEGEND_CHAR) - 8) for label in labels]
        legend = fig.legend(handles, labels, loc="outside lower center", ncols=1, title=title, **options)
    lines = sum(label.count("\n") for label in labels)
    rows = -(-len(labels) // n) + lines + (0 if title is None else title.count("\n") + 1)
    fig.set_size_inches(width, height + LEGEND_ROW * rows + 0.1)
    return legend


def fit_title(ax, text: str) -> None:
    """Title ``ax`` with ``text``, broken into two lines (after a colon, else after the comma
    nearest the middle) if wider than the panel."""
    fig = ax.figure
    title = ax.set_title(text)
    fig.draw_without_rendering()
    room = ax.get_position().width * fig.get_size_inches()[0]
    if "\n" in text or _width_inches(fig, title) <= room:
        return
    top = _top_level(text)
    colons = [i for i in top if text.startswith(": ", i)]
    commas = [i for i in top if text.startswith(", ", i)]
    if not colons + commas:
        return
    cut = colons[0] if colons else min(commas, key=lambda i: abs(i - len(text) / 2))
    ax.set_title(text[:cut + 1] + "\n" + text[cut + 2:])


def wrap_label(label: str, chars: int) -> str:
    r"""Break ``label`` into lines of at most ``chars`` shown characters, never inside ``$...$``.

    Examples
    --------
    >>> wrap_label("observed: median of 8 runs, $\\beta = 1$ here", 20)
    'observed: median of\n8 runs, $\\beta = 1$ here'
    """
    words = re.findall(r"(?:\$[^$]*\$|\S)+", label)
    lines, current = [], ""
    for word in words:
        if current and _visible_length(f"{current} {word}") > chars:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    return "\n".join(lines + [current])


def _visible_length(text: str) -> int:
    """Characters a label shows (a mathtext command counts as one)."""
    return len(re.sub(r"[${}_^]", "", re.sub(r"\\[A-Za-z]+", "x", text)))


def _top_level(text: str) -> list:
    """Positions in ``text`` outside parentheses and ``$...$``."""
    depth, math, out = 0, False, []
    for i, char in enumerate(text):
        math ^= char == "$"
        depth += (char == "(") - (char == ")")
        if depth == 0 and not math:
            out.append(i)
    return out


def _width_inches(fig, artist) -> float:
    return artist.get_window_extent(fig.canvas.get_renderer()).width / fig.dpi


def legend_entries(axes) -> tuple[list, list]:
    """Every distinct labelled artist of ``axes``, in order: ``(handles, labels)`` for one figure legend."""
    entries: dict = {}
    for ax in axes:
        for handle, label in zip(*ax.get_legend_handles_labels()):
            entries.setdefault(label, handle)
    return list(entries.values()), list(entries)


CORNERS = ("lower left", "upper right", "upper left", "lower right")
"""Corners a note may go in, first choice first."""


def note(ax, text: str, *, corner: str | None = None):
    """A short grey remark in a corner of ``ax`` (inside, in axes coordinates); return it.

    ``corner=None`` picks the corner whose box covers the fewest drawn data
    points (lines and markers), so a note does not hide the data; call it
    once the data are drawn and the layout is set (after the legend).
    """
    if corner is None:
        return place_notes(ax.figure, [(ax, text)])[0]
    vertical, horizontal = corner.split()
    x = 0.02 if horizontal == "left" else 0.98
    y = 0.03 if vertical == "lower" else 0.97
    return ax.text(x, y, text, transform=ax.transAxes, ha=horizontal,
                   va="bottom" if vertical == "lower" else "top", fontsize=7, color="0.3", style="italic",
                   zorder=6, bbox={"facecolor": "white", "alpha": 0.85, "edgecolor": "none", "pad": 1.0})


def place_notes(fig, notes) -> list:
    """Place each ``(ax, text)`` note in the corner of its axes that hides the fewest data
    points, after one layout pass of ``fig``; return the notes."""
    fig.draw_without_rendering()
    return [least_cost(CORNERS, lambda c, ax=ax, text=text: note(ax, text, corner=c),
                       lambda box, ax=ax: _covered(ax, box))[0] for ax, text in notes]


def _covered(ax, box) -> int:
    """Drawn data vertices of ``ax`` (lines, and the outlines of bands) that fall in the display ``box``."""
    count = 0
    for line in ax.get_lines():
        xy = np.column_stack([np.asarray(line.get_xdata(), dtype=float), np.asarray(line.get_ydata(), dtype=float)])
        count += _inside(_densify(line.get_transform().transform(xy[np.all(np.isfinite(xy), axis=1)])), box)
    for collection in ax.collections:
        for path in collection.get_paths():
            count += _inside(collection.get_transform().transform(path.vertices), box) // 4
    return count


def _densify(pixels, per_segment: int = 8):
    """Points along each segment of a polyline, so a long straight segment is seen where it runs."""
    if len(pixels) < 2:
        return pixels
    steps = np.linspace(0.0, 1.0, per_segment, endpoint=False)[None, :, None]
    start, stop = pixels[:-1, None, :], pixels[1:, None, :]
    return np.concatenate([(start + steps * (stop - start)).reshape(-1, 2), pixels[-1:]])


def _inside(pixels, box) -> int:
    if pixels.size == 0:
        return 0
    return int(np.sum((pixels[:, 0] >= box.x0) & (pixels[:, 0] <= box.x1)
                      & (pixels[:, 1] >= box.y0) & (pixels[:, 1] <= box.y1)))


def blank_handle(ax):
    """An invisible legend handle, for a line of text in a legend."""
    return ax.plot([], [], linestyle="none", marker="none")[0]


CLUSTER_POINTS = 10.0
"""Points nearer than this (in typographic points) get one label."""
LABEL_OFFSETS = ((5, 5), (5, -5), (-5, 5), (-5, -5), (7, 0), (-7, 0), (0, 8), (0, -8),
                 (10, 10), (10, -10), (-10, 10), (-10, -10), (14, 0), (-14, 0), (0, 16), (0, -16))
"""Offsets (points) tried for a point's label, nearest first."""


def place_labels(ax, points, texts, *, avoid=(), fontsize: float = 7, background: dict | None = None,
                 join: str = "\n") -> tuple[list, bool]:
    """Label each data point of ``ax`` beside it where the label overlaps no other label, marker,
    title or artist of ``avoid`` and stays inside the axes (else where it costs least: an overlap
    with another label or marker counts twenty times its area, a part in the margin half its
    area, a part off the figure a hundred times); return the labels.

    Points closer than :data:`CLUSTER_POINTS` share one label (their texts
    joined by ``join``), which no placement could keep apart.  The layout is
    fixed first, so the measured boxes are the drawn ones.  Returns the labels
    and whether every one found a place that overlaps nothing.
    """
    fig = ax.figure
    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    points, texts = _clusters(ax, points, texts, join)
    inside = ax.get_window_extent(renderer)
    marks = [point_box(ax, x, y, 3.0) for x, y in points]
    taken = [artist.get_window_extent(renderer) for artist in (*avoid, ax.title) if artist.get_visible()]
    labels, clear = [], True
    for k, ((x, y), text) in enumerate(zip(points, texts)):
        others = taken + marks[:k] + marks[k + 1:]

        def make(offset, x=x, y=y, text=text):
            dx, dy = offset
            return ax.annotate(text, (x, y), xytext=(dx, dy), textcoords="offset points", fontsize=fontsize,
                               ha="left" if dx > 0 else "right" if dx < 0 else "center",
                               va="bottom" if dy > 0 else "top" if dy < 0 else "center",
                               annotation_clip=False, zorder=7, bbox=background)

        def cost(box, others=others):
            return (20 * sum(overlap(box, other) for other in others) + 0.5 * _outside(box, inside)
                    + 100 * _outside(box, fig.bbox))

        label, price = least_cost(LABEL_OFFSETS, make, cost)
        taken.append(label.get_window_extent(renderer))
        labels.append(label)
        clear = clear and price == 0
    return labels, clear


def least_cost(candidates, make, cost):
    """Make the artist of each candidate in turn; keep the first that costs nothing, else the cheapest.

    ``make(candidate)`` adds an artist to a figure, ``cost(box)`` prices its
    display box; every other artist made is removed.  Returns ``(artist, cost)``.
    """
    best = None
    for candidate in candidates:
        artist = make(candidate)
        price = cost(artist.get_window_extent(artist.figure.canvas.get_renderer()))
        if best is None or price < best[1]:
            if best is not None:
                best[0].remove()
            best = (artist, price)
        else:
            artist.remove()
        if price == 0:
            break
    return best


def _clusters(ax, points, texts, join):
    """Merge points within :data:`CLUSTER_POINTS` of each other (display space) into one labelled point."""
    pixels = ax.transData.transform(np.asarray(points, dtype=float))
    reach = CLUSTER_POINTS * ax.figure.dpi / 72
    groups: list = []
    for k, pixel in enumerate(pixels):
        for group in groups:
            if np.hypot(*(pixels[group[0]] - pixel)) < reach:
                group.append(k)
                break
        else:
            groups.append([k])
    merged = [tuple(np.mean([points[k] for k in group], axis=0)) for group in groups]
    return merged, [join.join(texts[k] for k in group) for group in groups]


def point_box(ax, x, y, radius_points: float):
    """The display box of a marker of ``radius_points`` at data point ``(x, y)``."""
    from matplotlib.transforms import Bbox

    px, py = ax.transData.transform((x, y))
    r = radius_points * ax.figure.dpi / 72
    return Bbox([[px - r, py - r], [px + r, py + r]])


def overlap(a, b) -> float:
    """Area shared by two display boxes."""
    width = min(a.x1, b.x1) - max(a.x0, b.x0)
    height = min(a.y1, b.y1) - max(a.y0, b.y0)
    return max(width, 0.0) * max(height, 0.0)


def _outside(box, frame) -> float:
    """Area of ``box`` outside ``frame``."""
    return box.width * box.height - overlap(box, frame)
