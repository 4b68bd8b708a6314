"""Module-level names of a DAG file: which keep their code in the generated module.

A name bound once, by a plain top-level assignment, is copied as written
(``DEPLOY_ENV = os.getenv("DEPLOY_ENV", "dev")`` stays that call, so the value keeps coming from
the machine that parses the file). A name bound several times, or inside ``if``/``for``/
``try``/``with``, has no single statement that gives its value: it is written as the value it
had when the migration loaded the file, and when that value was computed (a call, not a
literal) the report lists it as frozen.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Frozen:
    """A module-level value computed when the DAG file loaded, written as that value."""

    task_id: str | None
    name: str
    statement: str
    """The (first line of the) statement that computed it."""
    value: str
    """The value written, as code."""


def _bound_names(statement: ast.stmt) -> Iterator[str]:
    """Module-scope names ``statement`` binds (its own targets, not those of nested blocks)."""
    targets: list[ast.expr] = []
    if isinstance(statement, ast.Assign):
        targets = list(statement.targets)
    elif isinstance(statement, (ast.AnnAssign, ast.AugAssign, ast.For, ast.AsyncFor)):
        targets = [statement.target]
    elif isinstance(statement, (ast.With, ast.AsyncWith)):
        targets = [i.optional_vars for i in statement.items if i.optional_vars is not None]
    elif isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        yield statement.name
    elif isinstance(statement, (ast.Import, ast.ImportFrom)):
        for alias in statement.names:
            yield alias.asname or alias.name.partition(".")[0]
    for target in targets:
        for node in ast.walk(target):
            if isinstance(node, ast.Name):
                yield node.id


def _module_statements(tree: ast.Module) -> Iterator[ast.stmt]:
    """Every statement run at module level (nested blocks included, function bodies not)."""
    for statement in tree.body:
        yield from _module_block(statement)


def _module_block(statement: ast.stmt) -> Iterator[ast.stmt]:
    yield statement
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return
    for field in ("body", "orelse", "finalbody"):
        for inner in getattr(statement, field, None) or []:
            yield from _module_block(inner)
    for handler in getattr(statement, "handlers", None) or []:
        for inner in handler.body:
            yield from _module_block(inner)


def single_assignment(tree: ast.Module, name: str) -> ast.Assign | ast.AnnAssign | None:
    """The one top-level ``name = ...`` statement that gives ``name`` its value, or ``None``
    when ``name`` is bound more than once or not by a plain top-level assignment."""
    binders = [s for s in _module_statements(tree) if name in set(_bound_names(s))]
    if len(binders) != 1:
        return None
    [statement] = binders
    if statement not in tree.body or not isinstance(statement, (ast.Assign, ast.AnnAssign)):
        return None
    if statement.value is None:
        return None
    return statement


def is_computed(statement: ast.stmt) -> bool:
    """Whether the value assigned by ``statement`` is computed (anything but a literal)."""
    value = getattr(statement, "value", None)
    if value is None:
        return False
    try:
        ast.literal_eval(value)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return True
    return False


def computed_binding(tree: ast.Module, name: str) -> ast.stmt | None:
    """A module-level statement that binds ``name`` to a computed value (not a literal), if
    any: the value the migration saw came from running it."""
    for statement in _module_statements(tree):
        if name not in set(_bound_names(statement)):
            continue
        if not isinstance(statement, (ast.Assign, ast.AnnAssign)) or is_computed(statement):
            return statement
    return None
