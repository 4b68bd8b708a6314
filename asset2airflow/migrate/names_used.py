"""The module-level names a piece of copied source reads: in its code (``symtable``) and in
its annotations (not evaluated at run time, but linters and type checkers resolve them)."""

from __future__ import annotations

import ast
import contextlib
import symtable

_FUTURE = "from __future__ import annotations\n"


def global_names(source: str) -> list[str]:
    """Names a function or class (``source``, dedented) reads from module globals, in order of
    first use; builtins are left out unless shadowed by the module."""
    table = symtable.symtable(_FUTURE + source, "<copied>", "exec")
    names: dict[str, None] = {}

    def walk(scope: symtable.SymbolTable) -> None:
        for symbol in scope.get_symbols():
            if symbol.is_global() and symbol.is_referenced():
                names.setdefault(symbol.get_name(), None)
        for child in scope.get_children():
            walk(child)

    for symbol in table.get_symbols():  # decorators, bases, defaults, right-hand sides
        if symbol.is_referenced() and not symbol.is_imported():
            names.setdefault(symbol.get_name(), None)
    for child in table.get_children():
        walk(child)
    return [n for n in names if n != "annotations"]


def annotation_names(source: str) -> list[str]:
    """Names read by the annotations of ``source`` (string annotations included): not
    evaluated at run time (``from __future__ import annotations``), but a type checker and a
    reader need them bound."""
    found: dict[str, None] = {}

    def collect(node: ast.AST | None) -> None:
        for inner in ast.walk(node) if node is not None else ():
            if isinstance(inner, ast.Name):
                found.setdefault(inner.id, None)
            elif isinstance(inner, ast.Constant) and isinstance(inner.value, str):
                with contextlib.suppress(SyntaxError):
                    collect(ast.parse(inner.value, mode="eval"))

    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            arguments = node.args
            every = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
            every += [a for a in (arguments.vararg, arguments.kwarg) if a is not None]
            for argument in every:
                collect(argument.annotation)
            collect(node.returns)
        elif isinstance(node, ast.AnnAssign):
            collect(node.annotation)
    return list(found)
