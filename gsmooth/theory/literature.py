r"""The (L0, L1)-smoothness literature as catalog entries, with what of each could be read.

The sources available when these entries were written showed abstracts and
introductions, not theorem statements.  So every entry below says exactly
what was read: the order where an abstract states one (``C = 1``, "order
only"), a secondary source where the order comes from the seed paper's slides,
and no bound at all where neither the order nor the constants were shown.
None of them guesses a constant; each names the theorem to fill in from the
paper.

Examples
--------
>>> from gsmooth.theory.literature import LITERATURE_ENTRIES
>>> entry = {e.key: e for e in LITERATURE_ENTRIES}["zhang2020why-clipped-gd"]
>>> entry.source.authors
'J. Zhang, T. He, S. Sra, A. Jadbabaie'
>>> entry.basis
'not evaluable: statement not read'
"""

from __future__ import annotations

import sympy as sp

from gsmooth.theory.entry import CONVEX, UNREAD, CatalogEntry, Source
from gsmooth.theory.exact import ALPHA, BETA, EPS

L0L1 = "(L0, L1)-smoothness, Hessian form ||hess f(x)|| <= L0 + L1 ||grad f(x)|| (alpha = 1)"
ALPHA_SMOOTH = "alpha-symmetric generalized smoothness (contains (5) with alpha in [0, 1])"
ELL_SMOOTH = "ell-smoothness ||hess f(x)|| <= ell(||grad f(x)||), ell non-decreasing (contains (5))"
NONCONVEX = "nonconvex, bounded below"
BOUNDED_NOISE = "||grad f_xi - grad f|| <= tau2 almost surely"
VARIANCE = "unbiased, variance <= sigma^2"
SLIDES = "reference/slides-iccopt2025.md (slides of Yang et al. 2025)"
NOT_READ = "theorem not read"
ALPHA_ONE = ("stated for alpha = 1; a function with (L0, L1, alpha) and alpha < 1 is "
             "(L0 + L1, L1, 1)-smooth, since g^alpha <= 1 + g")


def _zhang_why(part: str) -> Source:
    return Source("J. Zhang, T. He, S. Sra, A. Jadbabaie",
                  "Why gradient clipping accelerates training: A theoretical justification for adaptivity",
                  "ICLR", 2020, part,
                  "https://tomesphere.com/paper/1905.11881 (abstract); "
                  "https://huggingface.co/datasets/nvidia/Nemotron-CC-Math-v1 "
                  "(arXiv v1: abstract, introduction)")


def _zhang_improved(part: str) -> Source:
    return Source("B. Zhang, J. Jin, C. Fang, L. Wang",
                  "Improved analysis of clipping algorithms for non-convex optimization", "NeurIPS", 2020,
                  part,
                  "https://ar5iv.labs.arxiv.org/html/2010.02519 (abstract); https://proceedings.neurips.cc/"
                  "paper/2020/file/b282d1735283e8eea45bce393cefe265-Review.html (reviews)")


def _chen(part: str) -> Source:
    return Source("Z. Chen, Y. Zhou, Y. Liang, Z. Lu",
                  "Generalized-smooth nonconvex optimization is as efficient as smooth nonconvex "
                  "optimization", "ICML (PMLR 202)", 2023, part,
                  "https://mlanthology.org/icml/2023/chen2023icml-generalizedsmooth")


def _li(part: str) -> Source:
    return Source("H. Li, J. Qian, Y. Tian, A. Rakhlin, A. Jadbabaie",
                  "Convex and non-convex optimization under generalized smoothness", "NeurIPS", 2023, part,
                  "https://object.cloud.sdsc.edu/v1/AUTH_da4962d3368042ac8337e2dfdd3e7bf3/ml-papers-txt/"
                  "NeurIPS/2023/convex_and_nonconvex_optimization_under_generalized_smoothness__b327e769.txt")


def _koloskova(part: str) -> Source:
    return Source("A. Koloskova, H. Hendrikx, S. U. Stich",
                  "Revisiting gradient clipping: stochastic bias and tight convergence guarantees",
                  "ICML (PMLR 202)", 2023, part,
                  f"https://ar5iv.labs.arxiv.org/html/2305.01588 (abstract); {SLIDES}")


def _entry(key, source, method, methods, rule, assumptions, setting, quantity, measure, order, provenance,
           kind="upper", requires=sp.true, note="") -> CatalogEntry:
    return CatalogEntry(
        key=key, source=source, method=method, methods=methods, stepsize_rule=rule, assumptions=assumptions,
        setting=setting, quantity=quantity, measure=measure, kind=kind,
        bound=None if order is None else UNREAD * order, order=order, explicit=False,
        provenance=provenance, requires=requires, note=note,
    )


LITERATURE_ENTRIES = (
    _entry("zhang2020why-clipped-gd", _zhang_why(f"clipped GD upper bound, {NOT_READ}"), "clipped GD",
           ("clipped GD",), "gamma_t = min{eta_c, gamma eta_c / ||grad f(x_t)||} (constants not read)",
           (L0L1, NONCONVEX, "deterministic"), "deterministic", "gradient", "iterations", None,
           ("abstract and introduction read: clipped and normalized GD 'converge arbitrarily faster than "
            "gradient descent with fixed stepsize'; neither the order nor the constants of the upper bound "
            "were shown"), note=ALPHA_ONE),
    _entry("zhang2020why-gd-lower", _zhang_why(f"fixed-step GD lower bound, {NOT_READ}"), "GD, fixed step",
           ("GD",), "any fixed step size", (L0L1, NONCONVEX, "deterministic"), "deterministic", "gradient",
           "iterations", None,
           ("abstract read; Li et al. (2023, introduction) confirm it is 'a complexity lower bound for "
            "constant-stepsize GD/SGD without clipping'; its order and constants were not shown"),
           kind="lower", note=ALPHA_ONE),
    _entry("zhang2020improved-clipped-gd", _zhang_improved(f"deterministic clipping framework, {NOT_READ}"),
           "clipped GD with momentum", ("clipped GD",), "clipping framework with momentum (not read)",
           (L0L1, NONCONVEX, "deterministic"), "deterministic", "gradient", "iterations", None,
           ("abstract read: 'convergence analysis ... in both deterministic and stochastic setting', tight "
            "against existing lower bounds; a review notes the rate is dominated by L0; order and constants "
            "not shown"), note=ALPHA_ONE),
    _entry("zhang2020improved-clipped-sgd", _zhang_improved(f"stochastic clipping framework, {NOT_READ}"),
           "clipped SGD with momentum", ("clipped SGD",), "clipping framework with momentum (not read)",
           (L0L1, NONCONVEX, BOUNDED_NOISE), "stochastic", "gradient", "samples", EPS**-4,
           (f"order eps^-4 as summarized in {SLIDES} ('Clipped-SGD, Normalized SGD with momentum ... "
            "O(eps^-4)' under almost surely bounded noise); constants not read"), note=ALPHA_ONE),
    _entry("chen2023-beta-gd", _chen("abstract"), "beta-normalized GD", ("AN-GD",),
           "gamma / ||grad f||^beta (step-size constants not read)",
           (ALPHA_SMOOTH, NONCONVEX, "deterministic"),
           "deterministic", "gradient", "iterations", EPS**-2,
           "abstract read: 'optimal iteration complexity O(eps^-2)'; constants not read",
           requires=BETA >= ALPHA),
    _entry("chen2023-spider", _chen("abstract"), "normalized SPIDER", ("SPIDER",),
           "normalized SPIDER steps (not read)", (ALPHA_SMOOTH, NONCONVEX, "stochastic, variance reduced"),
           "stochastic", "gradient", "samples", EPS**-3,
           "abstract read: 'optimal sample complexity O(eps^-3)'; constants and batch sizes not read"),
    _entry("li2023-gd", _li("abstract; Table 1 not read"), "GD, constant step", ("GD",),
           f"constant gamma of order 1/ell(2G), G bounding the gradients along the trajectory ({SLIDES})",
           (ELL_SMOOTH, NONCONVEX, "deterministic"), "deterministic", "gradient", "iterations", EPS**-2,
           ("abstract read: 'the classical convergence rates for (stochastic) gradient descent' (eps^-2 for "
            "nonconvex GD); Table 1 and the constants, which grow with G, were not read")),
    _entry("li2023-sgd", _li("abstract; Table 1 not read"), "SGD, constant step", ("SGD",),
           "constant step (not read)", (ELL_SMOOTH, NONCONVEX, VARIANCE), "stochastic", "gradient", "samples",
           EPS**-4, ("abstract read: classical rates with 'heavy-tailed noise with bounded variance' "
                     "(eps^-4 for nonconvex SGD); constants not read")),
    _entry("koloskova2023-clipped-gd", _koloskova(NOT_READ), "clipped GD", ("clipped GD",),
           "gamma min{1, c / ||grad f||}, any threshold c (constants not read)",
           (L0L1, NONCONVEX, "deterministic"), "deterministic", "gradient", "iterations", None,
           ("abstract read: 'for deterministic gradient descent, the clipping threshold only affects the "
            "higher-order terms of convergence'; the bound itself was not shown"), note=ALPHA_ONE),
    _entry("koloskova2023-clipped-sgd", _koloskova("as summarized by the seed paper"), "clipped SGD",
           ("clipped SGD",), "clipped SGD, O(1) batches (not read)", (L0L1, NONCONVEX, VARIANCE),
           "stochastic", "gradient", "samples", EPS**-5,
           (f"order eps^-5 for variance-bounded noise as summarized in {SLIDES} ('Open Problem'); the paper "
            "shows convergence only to a neighborhood for fixed thresholds; constants not read"),
           note=ALPHA_ONE),
    _entry("vankov2024-gd", Source("D. Vankov, A. Rodomanov, A. Nedich, L. Sankar, S. U. Stich",
                                   "Optimizing (L0, L1)-smooth functions by gradient methods",
                                   "arXiv:2410.10800",
                                   2024, NOT_READ, "https://arxiv.org/html/2410.10800v3 (abstract)"),
           "GD with (L0, L1) step sizes, Polyak steps, normalized GD", ("GD", "normalized GD"),
           "step sizes depending on L0, L1 and ||grad f|| (not read)", (L0L1, "nonconvex or convex"),
           "deterministic", "gradient", "iterations", None,
           ("abstract read: the rates 'recover existing results for minimizing the gradient norm in "
            "nonconvex problems' and improve convex ones; no bound shown"), note=ALPHA_ONE),
    _entry("gorbunov2024-convex", Source("E. Gorbunov, N. Tupitsa, S. Choudhury, A. Aliev, P. Richtarik, "
                                         "S. Horvath, M. Takac",
                                         "Methods for convex (L0, L1)-smooth optimization: clipping, "
                                         "acceleration, and adaptivity", "arXiv:2409.14989", 2024, NOT_READ,
                                         "https://arxiv.org/html/2409.14989v2 (abstract)"),
           "GD with (smoothed) clipping, Polyak steps", ("clipped GD", "GD"),
           "(smoothed) clipping or Polyak step sizes (not read)", (L0L1, "convex"), "deterministic", "gap",
           "iterations", None,
           ("abstract read: improved rates for convex (L0, L1)-smooth functions without exponential "
            "dependence on the initial distance; no bound shown"), requires=CONVEX, note=ALPHA_ONE),
    _entry("hubler2024-nsgd-m", Source("F. Hubler, J. Yang, X. Li, N. He",
                                       "Parameter-agnostic optimization under relaxed smoothness",
                                       "AISTATS (PMLR 238)", 2024, "abstract",
                                       "https://proceedings.mlr.press/v238/hubler24a.html"),
           "NSGD with momentum", ("NSGD-M",), "parameter-agnostic step sizes (not read)",
           (L0L1, NONCONVEX, VARIANCE), "stochastic", "gradient", "samples", EPS**-4,
           ("abstract read: '(nearly) rate-optimal complexity' (eps^-4) without knowing any parameter, 'at "
            "the cost of an exponential term dependent on L1', whose form was not read and is left out: the "
            "number is not a guarantee"), note=ALPHA_ONE),
)
"""Entries of the (L0, L1) literature, by what could be read."""
