r"""What a figure says: series styles, reference lines, mathtext labels and human titles.

* :func:`series_styles` gives each curve of a report a colour of the
  Okabe-Ito palette (safe for colour-blind readers), a line style and a
  marker, by the order of the labels, so one label keeps its look across
  the figures drawn from one list.
* :data:`REFERENCE` styles the horizontal lines (target, noise floor,
  derived bound, fitted law) so that no two look alike in grey print.
* :func:`problem_title` turns a problem's code name
  (``phase_retrieval(m=3000, d=100)``) into words
  (``Phase retrieval, $m = 3000$, $d = 100$``).

Examples
--------
>>> styles = series_styles(["AN-SGD", "IAN-SGD"])
>>> styles["AN-SGD"] != styles["IAN-SGD"]
True
>>> problem_title("power(p=4)+noise(tau1=0.1, tau2=0.5)")
'Power function, $p = 4$, noise $\\tau_1 = 0.1$, $\\tau_2 = 0.5$'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
"""Okabe and Ito's colours without yellow (too pale on white): blue, vermilion,
bluish green, reddish purple, orange, sky blue, black."""
LINESTYLES = ("-", (0, (5, 1.5)), (0, (4, 1.5, 1, 1.5)), (0, (1, 1.2)), (0, (7, 1.5, 1, 1.5, 1, 1.5)),
              (0, (2.5, 1)), (0, (9, 2)))
MARKERS = ("o", "s", "^", "D", "v", "P", "X")
MARKS_PER_LINE = 5
"""Markers along a line: about five, staggered between lines so they do not sit on each other."""

GAP = r"$F(w_t) - F^\star$"
LOSS = r"$F(w_t)$"
T_EPS = r"$T(\epsilon)$"
EPS = r"$\epsilon$"

REFERENCE = {
    "target": {"color": "0.1", "linestyle": (0, (6, 3)), "linewidth": 0.9},
    "floor": {"color": "0.45", "linestyle": (0, (1, 1.5)), "linewidth": 1.3},
    "bound": {"color": "0.1", "linestyle": (0, (6, 3)), "linewidth": 1.0},
    "fit": {"color": "#D55E00", "linestyle": (0, (1, 1.2)), "linewidth": 1.8},
}
"""Line styles of the reference lines, by role."""


@dataclass(frozen=True)
class SeriesStyle:
    """Colour, line style and marker of one curve, and its place among the curves."""

    color: str
    linestyle: object
    marker: str
    index: int

    def line(self) -> dict:
        """Keyword arguments of ``Axes.plot`` for this curve (markers spaced along it)."""
        step = 1.0 / MARKS_PER_LINE
        offset = (self.index % MARKS_PER_LINE) * step / MARKS_PER_LINE
        return {"color": self.color, "linestyle": self.linestyle, "marker": self.marker,
                "markevery": (offset, step), "markersize": 3.5, "markeredgewidth": 0.6,
                "markerfacecolor": "white" if self.index % 2 else self.color}


def series_style(index: int) -> SeriesStyle:
    """The style of the ``index``-th curve; colour, line style and marker cycle at different
    rates past seven curves, so no two of the first 49 share all three."""
    n = len(PALETTE)
    turn = index // n
    return SeriesStyle(PALETTE[index % n], LINESTYLES[(index + turn) % len(LINESTYLES)],
                       MARKERS[(index + 2 * turn) % len(MARKERS)], index)


def series_styles(labels) -> dict:
    """``{label: SeriesStyle}`` in the order the labels first appear."""
    out: dict = {}
    for label in labels:
        if label not in out:
            out[label] = series_style(len(out))
    return out


NAMES = {"phase_retrieval": "Phase retrieval", "power": "Power function", "cosh": "cosh",
         "quadratic": "Quadratic", "least_squares": "Least squares", "dro": "Chi-square DRO",
         "mlp": "MLP on digits", "exponential": "Exponential", "noise": "noise"}
BARE_ARGUMENTS = {"quadratic": r"$\lambda$ ="}
"""What the unnamed arguments of a problem's code name are (``quadratic(1, 4)``)."""
WORDS = {"life_expectancy": "WHO life expectancy", "clean": "clean preprocessing",
         "released": "released preprocessing"}
PHRASES = {"hidden": "{} hidden units", "seed": "seed {}"}
SYMBOLS = {"L0": "L_0", "L1": "L_1", "tau1": r"\tau_1", "tau2": r"\tau_2", "rho": r"\rho",
           "beta": r"\beta", "alpha": r"\alpha", "mu": r"\mu", "lr": r"\gamma", "gamma": r"\gamma",
           "Gamma": r"\Gamma", "delta": r"\delta", "eps": r"\epsilon", "B'": "B'", "batch2": "B'", "batch": "B"}
_CALL = re.compile(r"^(\w+)(?:\((.*)\))?$")


def problem_title(name: str) -> str:
    """A problem's code name in words: ``quadratic`` -> ``Quadratic``; unknown names unchanged."""
    parts = [_call_title(piece) for piece in str(name).split("+")]
    return ", ".join(part for part in parts if part)


def _call_title(piece: str) -> str:
    match = _CALL.match(piece.strip())
    if match is None:
        return piece
    head, args = match.groups()
    words = [NAMES.get(head, head.replace("_", " "))]
    bare = [a.strip() for a in (args or "").split(",") if a.strip() and "=" not in a]
    if bare and head in BARE_ARGUMENTS:
        words.append(f"{BARE_ARGUMENTS[head]} {', '.join(bare)}")
    for arg in (a.strip() for a in (args or "").split(",") if a.strip()):
        key, sep, value = arg.partition("=")
        if sep and key.strip() in PHRASES:
            words.append(PHRASES[key.strip()].format(value.strip()))
        elif sep:
            words.append(parameter(key.strip(), value.strip()))
        elif head not in BARE_ARGUMENTS:
            words.append(WORDS.get(arg, arg.replace("_", " ")))
    return words[0] + (" " if words[0] == "noise" else ", " if len(words) > 1 else "") + ", ".join(words[1:])


def parameter(key: str, value) -> str:
    """``key = value`` in mathtext, Greek where the key names a Greek constant.

    Examples
    --------
    >>> parameter("beta", 0.3333333333), parameter("seed", 64)
    ('$\\\\beta = 0.333$', '$\\\\mathrm{seed} = 64$')
    """
    if isinstance(value, float):
        value = f"{value:.3g}"
    symbol = SYMBOLS.get(key, key if len(key) == 1 else rf"\mathrm{{{key}}}")
    return f"${symbol} = {value}$"


EXPRESSIONS = {"rho + beta": r"$\rho + \beta$", "F - F*": r"$F - F^\star$", "f - f*": r"$f - f^\star$"}
METRICS = {"F(w_t)": r"$F(w_t)$", "Psi(x_t)": r"$\Psi(x_t)$", "F - F*": GAP}
_SETTING = re.compile(r"(?<![\w$\\])(" + "|".join(map(re.escape, sorted(SYMBOLS, key=len, reverse=True)))
                      + r")\s*=\s*([-+\w./]+)")


def math_text(text: str) -> str:
    r"""Settings and metrics of a plain label in mathtext: ``tau1 = 0.25`` -> ``$\tau_1 = 0.25$``.

    Examples
    --------
    >>> math_text("IAN-SGD, beta = 1/3"), math_text("Psi(x_t)")
    ('IAN-SGD, $\\beta = 1/3$', '$\\Psi(x_t)$')
    """
    if text in METRICS:
        return METRICS[text]
    for words, math in EXPRESSIONS.items():
        text = text.replace(words, math)
    return _SETTING.sub(lambda m: parameter(m.group(1), m.group(2)), text)
