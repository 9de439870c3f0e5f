"""Catalog entries: sources and provenance, special cases against their papers, hand-computed values."""

import math

import numpy as np
import pytest
import sympy as sp

from gsmooth.theory import an_gd_bound, catalog
from gsmooth.theory.catalog import ENTRIES, METHODS, entry
from gsmooth.theory.entry import UNREAD
from gsmooth.theory.exact import EPS, GAMMA, L0, MU
from gsmooth.theory.published import tight_pl_rate

REQUIRED = {
    "zhang2020why-clipped-gd", "zhang2020why-gd-lower", "zhang2020improved-clipped-gd",
    "zhang2020improved-clipped-sgd", "chen2023-beta-gd", "chen2023-spider", "li2023-gd", "li2023-sgd",
    "koloskova2023-clipped-gd", "koloskova2023-clipped-sgd", "vankov2024-gd", "gorbunov2024-convex",
    "hubler2024-nsgd-m", "yang2025-an-gd-10", "yang2025-an-gd-11", "yang2025-an-gd-12",
    "yang2025-ian-sgd-19", "karimi2016-gd-pl", "abbaszadehpeivasti2023-gd-pl",
}


def test_catalog_covers_every_required_paper_once():
    keys = [e.key for e in catalog()]
    assert REQUIRED <= set(keys) and len(keys) == len(set(keys))


@pytest.mark.parametrize("item", ENTRIES, ids=lambda e: e.key)
def test_every_entry_says_where_it_was_read_and_what_it_is(item):
    source = item.source
    assert source.authors and source.title and source.venue and source.where and 1990 < source.year < 2030
    assert "http" in source.url or "slides" in source.url
    assert item.provenance and item.assumptions and item.methods and set(item.methods) <= set(METHODS)
    assert item.quantity in ("gap", "gradient") and item.kind in ("upper", "lower")
    assert item.setting in ("deterministic", "stochastic")
    if item.bound is None:
        assert item.order is None and item.basis.startswith("not evaluable")
        with pytest.raises(ValueError, match="statement not read"):
            item.iterations(L0=1, L1=1, Delta0=1, eps=0.1)
    elif item.explicit:
        assert UNREAD not in item.bound.free_symbols and item.basis == "explicit"
    else:
        assert sp.simplify(item.bound - UNREAD * item.order) == 0 and item.basis == "order only (C = 1)"
    assert item.as_dict()["key"] == item.key


def test_deterministic_clipped_gd_is_credited_to_zhang_he_sra_jadbabaie_iclr_2020():
    why = entry("zhang2020why-clipped-gd")
    assert why.source.authors == "J. Zhang, T. He, S. Sra, A. Jadbabaie"
    assert (why.source.venue, why.source.year, why.setting) == ("ICLR", 2020, "deterministic")
    assert entry("zhang2020why-gd-lower").kind == "lower"
    improved = entry("zhang2020improved-clipped-sgd")
    assert improved.source.authors.startswith("B. Zhang, J. Jin, C. Fang, L. Wang")
    assert improved.source.venue == "NeurIPS"


def test_method_filter_and_its_errors():
    gd_keys = {e.key for e in catalog(methods=["GD"])}
    assert gd_keys >= {"karimi2016-gd-pl", "li2023-gd", "zhang2020why-gd-lower"}
    assert all("IAN-SGD" in e.methods for e in catalog(methods="IAN-SGD"))
    with pytest.raises(ValueError, match="unknown method 'Adam'; allowed: AN-GD"):
        catalog(methods=["Adam"])
    with pytest.raises(ValueError, match="unknown catalog key 'nope'"):
        entry("nope")


# --- the seed paper (Yang et al. 2025) ------------------------------------------------------------

def test_an_gd_statements_special_cases():
    sub, lin, two = (entry(f"yang2025-an-gd-{n}") for n in (10, 11, 12))
    assert sub.iterations(rho=1, eps="1/1000") == pytest.approx(1000.0)           # (1/eps)^((2-rho)/rho)
    assert lin.iterations(rho=2, beta=0, Delta0=1, eps="1/100") == pytest.approx(math.log(100))  # PL, GD
    assert lin.iterations(rho=1, beta=1, Delta0=5, eps="1/1000") == pytest.approx(1000 * math.log(5000))
    assert two.iterations(rho="3/2", beta=1, eps="1/100") == pytest.approx(2 * math.log(100))
    assert sub.applies(rho=1, beta="2/3", alpha="1/3") and not sub.applies(rho=1, beta=1, alpha=1)
    assert lin.applies(rho=2, beta=0, alpha=0) and lin.applies(rho=1, beta="1/3", alpha="2/3") is False
    assert two.applies(rho=1) is None
    step = sub.stepsize_value(rho=1, beta="2/3", mu=2, eps="1/8", L0=1, L1=3)
    assert step == pytest.approx((2 / 8) ** (2 / 3) / 4)


def test_ian_sgd_statement_hand_computed_and_special_cases():
    ian = entry("yang2025-ian-sgd-19")
    assert ian.iterations(L0=1, L1=1, tau2=1, Delta0=1, eps="1/10") == pytest.approx(26**2 * 1e4)
    smooth = ian.iterations(L0=1, L1=0, tau2=1, Delta0=1, eps="1/10")              # L1 = 0: L-smooth
    assert smooth == pytest.approx((1 + 25 / 2) ** 2 * 1e4)
    assert ian.stepsize_value(L0=1, L1=1, tau2=1, Delta0=1, eps="1/10") == pytest.approx(1 / (26 * 100))
    with pytest.raises(ValueError, match="missing constants for numeric evaluation: tau2"):
        ian.iterations(L0=1, L1=1, Delta0=1, eps=0.1)


# --- GD under PL ------------------------------------------------------------------------------------

def test_karimi_rate_hand_computed_and_its_class():
    karimi = entry("karimi2016-gd-pl")
    expected = math.log(100) / math.log(4 / 3)
    assert karimi.iterations(L0=4, mu=1, Delta0=1, eps="1/100") == pytest.approx(expected)
    assert karimi.iterations(L0=2, mu=1, Delta0=1, eps="1/1024") == pytest.approx(10.0)   # rate 1/2
    assert karimi.rate_value(L0=5, mu=1) == pytest.approx(0.8) and karimi.stepsize_value(L0=5) == 0.2
    assert karimi.applies(L1=0, rho=2) and karimi.applies(L1=1, rho=2) is False
    assert karimi.applies(L1=0, rho=1) is False


def test_gsmooth_derivation_reproduces_karimi_per_step_factor():
    derived = an_gd_bound(2, 0, alpha=0, L1=0)
    factor = derived.decay.rate.subs(GAMMA, derived.stepsize)
    assert sp.simplify(factor - entry("karimi2016-gd-pl").rate) == 0


def test_tight_pl_rate_special_cases():
    at_inverse_l = sp.simplify(tight_pl_rate(1 / L0, L0, MU) - 2 * (L0 - MU) / (2 * L0 + MU))
    assert at_inverse_l == 0
    assert sp.nsimplify(tight_pl_rate(1, 1, sp.Rational(1, 5))) == sp.Rational(8, 11)
    assert tight_pl_rate(2, 1, sp.Rational(1, 5)) == 1                      # stability edge: no contraction
    assert sp.limit(tight_pl_rate(sp.Rational(1, 2), 1, MU), MU, 0) == 1      # mu -> 0: no PL, no rate
    switch = 3 / sp.sqrt(3)
    for point in (sp.Integer(1), switch):                                     # continuous at both joints
        below = tight_pl_rate(point - sp.Rational(1, 10**9), 1, sp.Rational(1, 5))
        above = tight_pl_rate(point + sp.Rational(1, 10**9), 1, sp.Rational(1, 5))
        assert abs(float(below - above)) < 1e-6


@pytest.mark.parametrize("mu", [0.05, 0.2, 0.5, 0.9])
def test_tight_pl_rate_lies_between_a_real_function_and_karimi(mu):
    rate = entry("abbaszadehpeivasti2023-gd-pl")
    for gamma in np.linspace(0.05, 1.95, 39):
        value = rate.rate_value(L0=1, mu=mu, gamma=gamma)
        quadratic = max((1 - gamma * mu) ** 2, (1 - gamma) ** 2)   # f = lambda x^2/2 is in the class
        assert quadratic - 1e-12 <= value <= 1 + 1e-12
    assert rate.rate_value(L0=1, mu=mu) <= entry("karimi2016-gd-pl").rate_value(L0=1, mu=mu)


def test_tight_pl_rate_counts_and_defaults_to_one_over_l():
    rate = entry("abbaszadehpeivasti2023-gd-pl")
    expected = math.log(100) / math.log(11 / 8)
    assert rate.iterations(L0=1, mu="1/5", Delta0=1, eps="1/100") == pytest.approx(expected)
    assert rate.applies(L1=0, rho=2, L0=1) and rate.applies(L1=0, rho=2, L0=1, gamma=2) is False


# --- the (L0, L1) literature -----------------------------------------------------------------------

@pytest.mark.parametrize(
    ("key", "power"),
    [("chen2023-beta-gd", 2), ("chen2023-spider", 3), ("li2023-gd", 2), ("li2023-sgd", 4),
     ("zhang2020improved-clipped-sgd", 4), ("koloskova2023-clipped-sgd", 5), ("hubler2024-nsgd-m", 4)],
)
def test_order_only_entries_evaluate_their_order_with_c_one(key, power):
    item = entry(key)
    assert sp.simplify(item.order - EPS**-power) == 0
    assert item.iterations(eps="1/10") == pytest.approx(10.0**power)
    assert item.iterations(L0=1, L1=0, eps="1/10") == item.iterations(L0=1, L1=5, eps="1/10")


def test_assumption_checks_of_the_literature():
    assert entry("chen2023-beta-gd").applies(beta="1/3", alpha="2/3") is False
    assert entry("chen2023-beta-gd").applies(beta=1, alpha="2/3")
    gorbunov = entry("gorbunov2024-convex")
    assert gorbunov.applies() is None and gorbunov.applies(convex=True)
    assert gorbunov.applies(convex=False) is False
