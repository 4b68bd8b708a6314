"""Laying out generated code: calls on one line when short, one argument per line otherwise
(as a formatter would), so generated modules read like hand-written ones."""

from __future__ import annotations

from collections.abc import Sequence

LINE = 100


def call(function: str, arguments: Sequence[str], indent: int, prefix: str = "") -> str:
    """``prefix + function(arguments)`` starting at column ``indent`` (first line unindented)."""
    one_line = f"{prefix}{function}({', '.join(arguments)})"
    if indent + len(one_line) <= LINE:
        return one_line
    inner = " " * (indent + 4)
    lines = "".join(f"{inner}{argument},\n" for argument in arguments)
    return f"{prefix}{function}(\n{lines}{' ' * indent})"


def comprehension(element: str, loop: str, indent: int, prefix: str = "") -> str:
    """``prefix[element for loop]``, split over lines when long (``element`` is laid out for
    column ``indent + 4``)."""
    one_line = f"{prefix}[{element} for {loop}]"
    if indent + len(one_line) <= LINE and "\n" not in element:
        return one_line
    inner = " " * (indent + 4)
    return f"{prefix}[\n{inner}{element}\n{inner}for {loop}\n{' ' * indent}]"
