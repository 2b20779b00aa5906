"""Memory budgets: estimate what a computation will ask for, and refuse it in one line before it starts.

A siting grid, a sweep's table or a travel-time matrix grows with the inputs
(``--spacing 1`` asks for billions of candidate sites).  Each is estimated
before anything is allocated and compared with
:func:`access.core.settings.memory_budget_mb` (``ACCESS_MEMORY_BUDGET_MB``), and with a hard
ceiling that no setting lifts: what this machine can give a process (:func:`ceiling_mb`, its
memory or the ``ulimit`` on it).  Past the ceiling, a library's allocation could fail deep in
C++ (``std::bad_alloc``) where it cannot be answered with one line.

Examples
--------
>>> require(1_000_000, "a small matrix", "use fewer counters")
>>> require(10**15, "a huge matrix", "use fewer counters")
Traceback (most recent call last):
...
access.core.errors.ResourceError: a huge matrix would need about 953,674,316 MB, more than the budget of 4,096 MB \
(ACCESS_MEMORY_BUDGET_MB); use fewer counters, or raise the budget
"""

from __future__ import annotations

import os

from access.core import settings
from access.core.errors import ResourceError

__all__ = ["require", "ceiling_mb", "FLOAT_BYTES"]

FLOAT_BYTES = 8
"""Bytes of one float64."""


def require(nbytes: float, what: str, shrink: str) -> None:
    """Refuse a computation that would need more than the memory budget.

    Parameters
    ----------
    nbytes
        The estimated bytes.
    what
        What would be made, e.g. ``"the candidate × origin matrix of 3,000 sites"``.
    shrink
        How to make it smaller, e.g. ``"use a larger --spacing"``.

    Raises
    ------
    ResourceError
        ``nbytes`` is over the budget.
    """
    budget = settings.memory_budget_mb()
    needed = nbytes / 2**20
    if needed > budget:
        raise ResourceError(f"{what} would need about {needed:,.0f} MB, more than the budget of {budget:,.0f} MB "
                            f"(ACCESS_MEMORY_BUDGET_MB); {shrink}, or raise the budget")
    ceiling = ceiling_mb()  # a budget raised past what the machine has does not lift this
    if needed > ceiling:
        raise ResourceError(f"{what} would need about {needed:,.0f} MB, more than this machine can give a process "
                            f"({ceiling:,.0f} MB: its memory, or the ulimit on it); {shrink}")


def ceiling_mb() -> float:
    """Return the most memory (MB) a process here can have: the machine's memory, or a lower ``ulimit`` (-v, -d).

    >>> ceiling_mb() > 0
    True
    """
    limits = []
    try:
        limits.append(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**20)
    except (AttributeError, ValueError, OSError):
        pass
    try:
        import resource

        for kind in (resource.RLIMIT_AS, resource.RLIMIT_DATA):
            soft, _ = resource.getrlimit(kind)
            if soft not in (resource.RLIM_INFINITY, -1) and soft > 0:
                limits.append(soft / 2**20)
    except (ImportError, AttributeError, ValueError, OSError):
        pass
    return min(limits) if limits else float("inf")
