"""Dagster's ``@definitions``: a function that builds the code location's ``Definitions`` when a
loader (the CLI, ``asset2airflow.loading``) or a test calls it, not when the module is imported."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from asset2airflow.errors import DefinitionError, NotSupportedError


class LazyDefinitions:
    """What ``@definitions`` returns: call it to build the ``Definitions``."""

    def __init__(self, fn: Callable[[], Any]) -> None:
        self.fn = fn
        self.__name__ = getattr(fn, "__name__", "definitions")
        self.__doc__ = fn.__doc__

    def __call__(self) -> Any:
        return self.fn()

    def __repr__(self) -> str:
        return f"<LazyDefinitions {self.__name__}>"


def definitions(fn: Callable[[], Any]) -> LazyDefinitions:
    """Mark ``fn`` (no parameters) as the code location's entry point; it returns a
    ``Definitions``. Dagster's form with a ``ComponentLoadContext`` parameter belongs to
    Components, which do not apply here."""
    if not callable(fn) or isinstance(fn, type):
        raise DefinitionError(f"@definitions decorates a function, not {fn!r}")
    if inspect.signature(fn).parameters:
        raise NotSupportedError(
            f"@definitions function {fn.__name__!r} takes parameters; Dagster passes a "
            "ComponentLoadContext there, and Components do not apply here: take no parameters."
        )
    return LazyDefinitions(fn)
