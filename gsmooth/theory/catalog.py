"""The catalog of published complexity statements, as :class:`~gsmooth.theory.entry.CatalogEntry` data.

Sources: the seed paper and the PL rates of GD (:mod:`gsmooth.theory.published`)
and the (L0, L1)-smoothness literature (:mod:`gsmooth.theory.literature`).
Each entry says where it was read and what could not be read;
:func:`gsmooth.theory.compare` evaluates them on a user's constants.

Examples
--------
>>> from gsmooth.theory import catalog
>>> len(catalog()) >= 19
True
>>> sorted({entry.basis for entry in catalog()})
['explicit', 'not evaluable: statement not read', 'order only (C = 1)']
>>> [entry.key for entry in catalog(methods=["GD"])][:2]
['karimi2016-gd-pl', 'abbaszadehpeivasti2023-gd-pl']
"""

from __future__ import annotations

from collections.abc import Iterable

from gsmooth.theory.entry import CatalogEntry
from gsmooth.theory.literature import LITERATURE_ENTRIES
from gsmooth.theory.published import PL_ENTRIES, SEED_ENTRIES

ENTRIES: tuple[CatalogEntry, ...] = SEED_ENTRIES + PL_ENTRIES + LITERATURE_ENTRIES
"""Every catalog entry, in the order tables show them."""

METHODS: tuple[str, ...] = tuple(dict.fromkeys(name for entry in ENTRIES for name in entry.methods))
"""The method names entries cover (``catalog(methods=...)`` and ``compare(methods=...)`` take these)."""


def catalog(methods: Iterable[str] | None = None) -> list[CatalogEntry]:
    """Return the catalog entries, all or those covering one of ``methods``.

    Raises
    ------
    ValueError
        For a method name no entry covers, naming the allowed ones.
    """
    if methods is None:
        return list(ENTRIES)
    wanted = check_methods(methods)
    return [entry for entry in ENTRIES if wanted.intersection(entry.methods)]


def check_methods(methods: Iterable[str]) -> set[str]:
    """The method names as a set, each checked against :data:`METHODS`.

    Examples
    --------
    >>> check_methods(["Adam"])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: unknown method 'Adam'; allowed: AN-GD, IAN-SGD, GD, clipped GD, clipped SGD, ...
    """
    names = [methods] if isinstance(methods, str) else list(methods)
    for name in names:
        if name not in METHODS:
            raise ValueError(f"unknown method {name!r}; allowed: {', '.join(METHODS)}")
    return set(names)


def entry(key: str) -> CatalogEntry:
    """The entry with ``key``.

    Examples
    --------
    >>> entry("karimi2016-gd-pl").source.where
    'Theorem 1'
    """
    for candidate in ENTRIES:
        if candidate.key == key:
            return candidate
    raise ValueError(f"unknown catalog key {key!r}; allowed: {', '.join(e.key for e in ENTRIES)}")
