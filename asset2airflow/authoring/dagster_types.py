"""Dagster's type vocabulary for op inputs and outputs: the ``Nothing`` marker and the check a
value passes when it is loaded or returned (plain classes and ``list[int]``-style generics by
their class)."""

from __future__ import annotations

import typing
from typing import Any


class Nothing:
    """The type of an input or output that carries no value, only order: ``In(Nothing)`` makes
    an op wait for another without receiving anything; ``Out(Nothing)`` stores nothing."""

    def __init__(self) -> None:
        raise TypeError("Nothing is a type marker: write In(Nothing) or Out(Nothing)")


def is_nothing(dagster_type: Any) -> bool:
    return dagster_type is Nothing


def type_check(dagster_type: Any, value: Any) -> bool:
    """Whether ``value`` fits ``dagster_type`` (plain classes and ``list[int]``-style generics
    are checked by their class; anything else, ``Any`` and no type pass)."""
    if dagster_type is None or dagster_type is Any or is_nothing(dagster_type):
        return True
    checked = typing.get_origin(dagster_type) or dagster_type
    if checked is typing.Union:
        return any(type_check(t, value) for t in typing.get_args(dagster_type))
    if not isinstance(checked, type):
        return True
    return isinstance(value, checked)


def type_name(dagster_type: Any) -> str:
    return getattr(dagster_type, "__name__", None) or repr(dagster_type)
