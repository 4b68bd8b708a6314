"""Pause Python's cyclic garbage collector while a large structure is built.

Resolving a graph of 10,000 assets (and building its DAG) allocates hundreds of thousands of
small objects. Each collection of the oldest generation walks every object the process holds —
in a DAG processor or worker that is all of Airflow — and finds no garbage, because nothing
built here is garbage yet. Pausing the collector for the build saves tenths of a second per
parse at that size; it runs again, as usual, as soon as the build returns or raises.
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable
from typing import ParamSpec, TypeVar

_P = ParamSpec("_P")
_R = TypeVar("_R")


def gc_paused(function: Callable[_P, _R]) -> Callable[_P, _R]:
    """``function`` run with the cyclic garbage collector paused (left as it was if a caller
    already paused it)."""

    @functools.wraps(function)
    def paused(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        if not gc.isenabled():
            return function(*args, **kwargs)
        gc.disable()
        try:
            return function(*args, **kwargs)
        finally:
            gc.enable()

    return paused
