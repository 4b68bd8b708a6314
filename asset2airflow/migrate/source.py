"""Copying the task code of a DAG file into the generated module.

A task's callable (and every function, class, constant and import it uses, found with
``symtable``) is copied from the original file's source, so the generated module stands alone
and the original file can be deleted. Airflow decorators (``@task``...) are dropped from copied
functions; a function that closes over variables of an enclosing function (a task defined
inside ``@dag`` or a task group function) becomes a small factory called with those values.
Names bound to DAG objects (the DAG, operators, ``XComArg``s, task groups) cannot be copied:
that is ``Unsupported`` and the task falls back (see ``analyze``).
"""

from __future__ import annotations

import ast
import builtins
import functools
import importlib
import inspect
import sys
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from asset2airflow.migrate.indent import reindent
from asset2airflow.migrate.module_values import (
    Frozen,
    computed_binding,
    is_computed,
    single_assignment,
)
from asset2airflow.migrate.names_used import annotation_names, global_names
from asset2airflow.migrate.namespace import ModuleNamespace, Unsupported

# Values that are parts of the DAG itself: task code using them cannot be carried over as is.
_DAG_OBJECT_TYPES = ("DAG", "BaseOperator", "MappedOperator", "XComArg", "TaskGroup", "DagBag")


@dataclass
class OriginModule:
    """The DAG file as loaded by the DagBag: its module, source and syntax tree."""

    name: str
    file: Path
    source: str
    tree: ast.Module
    globals: dict[str, Any]
    imports: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    assignments: dict[str, ast.stmt] = field(default_factory=dict)

    @classmethod
    def of_file(cls, file: str | Path) -> OriginModule:
        path = Path(file).resolve()
        module = next(
            (
                m
                for m in list(sys.modules.values())
                if isinstance(getattr(m, "__file__", None), str)
                and Path(m.__file__).resolve() == path  # type: ignore[arg-type]
            ),
            None,
        )
        source = path.read_text()
        tree = ast.parse(source)
        origin = cls(
            name=module.__name__ if module else "",
            file=path,
            source=source,
            tree=tree,
            globals=dict(vars(module)) if module else {},
        )
        for statement in _module_level(tree.body):
            origin._index(statement)
        return origin

    def _index(self, statement: ast.stmt) -> None:
        if isinstance(statement, ast.Import):
            for alias in statement.names:
                bound = alias.asname or alias.name.partition(".")[0]
                target = alias.name if alias.asname else alias.name.partition(".")[0]
                self.imports.setdefault(bound, (target, None))
        elif isinstance(statement, ast.ImportFrom) and statement.module and not statement.level:
            for alias in statement.names:
                self.imports.setdefault(alias.asname or alias.name, (statement.module, alias.name))
        elif isinstance(statement, (ast.Assign, ast.AnnAssign)):
            targets: list[ast.expr] = (
                statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            )
            for node in targets:
                if isinstance(node, ast.Name):
                    self.assignments.setdefault(node.id, statement)

    def defines(self, value: Any) -> bool:
        return bool(self.name) and getattr(value, "__module__", None) == self.name

    def segment(self, node: ast.AST) -> str:
        return ast.get_source_segment(self.source, node) or ""

    def lines(self, first: int, last: int) -> str:
        return "".join(self.source.splitlines(keepends=True)[first - 1 : last])


def _module_level(body: list[ast.stmt]) -> list[ast.stmt]:
    """Statements executed at module level, including inside ``with``/``if``/``try`` blocks."""
    found: list[ast.stmt] = []
    for statement in body:
        found.append(statement)
        if isinstance(statement, (ast.With, ast.If, ast.For, ast.While)):
            found.extend(_module_level(statement.body))
            found.extend(_module_level(getattr(statement, "orelse", [])))
        elif isinstance(statement, ast.Try):
            found.extend(_module_level(statement.body))
            for handler in statement.handlers:
                found.extend(_module_level(handler.body))
    return found


def _importable(value: Any) -> tuple[str, str] | None:
    """``(module, name)`` when ``from module import name`` gives ``value`` back."""
    module_name = getattr(value, "__module__", None)
    qualname = getattr(value, "__qualname__", None) or getattr(value, "__name__", None)
    if not module_name or not qualname or "." in qualname or "<" in qualname:
        return None
    if module_name.startswith("unusual_prefix_") or module_name == "__main__":
        return None
    if module_name.partition(".")[0] == "airflow" and _private(module_name, qualname):
        return _public_airflow_path(module_name, qualname, value)
    try:
        module = importlib.import_module(module_name)
    except Exception:  # an import with side effects failing: not importable
        return None
    found = getattr(module, qualname, None)
    if found is value:
        return module_name, qualname
    # The same definition loaded twice (a plugin module imported under two names): the import
    # gives the canonical one.
    same = (
        isinstance(value, type | types.FunctionType)
        and getattr(found, "__qualname__", None) == qualname
        and getattr(found, "__module__", None) == module_name
    )
    return (module_name, qualname) if same else None


def _private(module_name: str, name: str) -> bool:
    return any(part.startswith("_") for part in [*module_name.split("."), name])


def _public_airflow_path(module_name: str, name: str, value: Any) -> tuple[str, str] | None:
    """A public module of Airflow that exports ``value`` (defined in a private one), searched
    from the closest enclosing package outwards; ``None`` when only a private name has it:
    generated modules never import private Airflow names, which change without notice."""
    if name.startswith("_"):
        return None
    parts = module_name.split(".")
    for end in range(len(parts) - 1, 0, -1):
        candidate = ".".join(parts[:end])
        if _private(candidate, name):
            continue
        try:
            module = importlib.import_module(candidate)
        except Exception:
            continue
        if getattr(module, name, None) is value:
            return candidate, name
    return None


def _is_dag_object(value: Any) -> str | None:
    for klass in type(value).__mro__:
        if klass.__name__ in _DAG_OBJECT_TYPES and klass.__module__.startswith("airflow"):
            return klass.__name__
    return None


class CodeCopier:
    """Copies callables, classes and the globals they use into ``namespace``.

    ``value_code`` writes a value as an expression (``values.ValueWriter.expr``); it is set by
    the writer, which in turn uses this copier for functions and classes.
    """

    def __init__(self, namespace: ModuleNamespace, origin: OriginModule) -> None:
        self.ns = namespace
        self.origin = origin
        self.task_id: str | None = None
        """The task whose code is being copied (``None``: the DAG's settings)."""
        self.frozen: list[Frozen] = []
        self.value_code: Callable[[Any], str] | None = None
        self.literal_code: Callable[[Any], str] | None = None

    # --- callables and classes --------------------------------------------------------------

    def callable(self, fn: Any) -> str:
        """An expression for callable ``fn`` in the generated module."""
        if isinstance(fn, functools.partial):
            partial = self.ns.import_module("functools")
            assert self.value_code is not None
            args = [self.callable(fn.func), *(self.value_code(a) for a in fn.args)]
            args += [f"{k}={self.value_code(v)}" for k, v in fn.keywords.items()]
            return f"{partial}.partial({', '.join(args)})"
        inner = getattr(fn, "function", None)  # an Airflow @task decorator object
        if inner is not None and type(fn).__module__.startswith("airflow"):
            return self.callable(inner)
        if isinstance(fn, type):
            return self.klass(fn)
        if not isinstance(fn, types.FunctionType):
            importable = _importable(fn)
            if importable is not None:
                return self.ns.import_from(*importable)
            raise Unsupported(
                f"its callable is a {type(fn).__name__} object, not a function, class or "
                "functools.partial"
            )
        if not self.origin.defines(fn):
            importable = _importable(fn)
            if importable is not None:
                return self.ns.import_from(*importable)
            raise Unsupported(
                f"function {fn.__qualname__} of module {fn.__module__} cannot be imported by "
                "name; move it to an importable module"
            )
        if fn.__name__ == "<lambda>":
            return self._lambda(fn)
        return self._function(fn)

    def klass(self, cls: type) -> str:
        if not self.origin.defines(cls):
            importable = _importable(cls)
            if importable is None:
                raise Unsupported(
                    f"class {cls.__qualname__} of {cls.__module__} cannot be imported by a "
                    "public name"
                )
            return self.ns.import_from(*importable)
        node = self._find(ast.ClassDef, cls.__name__, _first_line(cls))
        if node is None or "<locals>" in cls.__qualname__:
            raise Unsupported(f"class {cls.__qualname__} is not defined at module level")
        source = self._statement_source(node)

        def write(name: str) -> str:
            self._bind_globals(source, cls.__dict__, exclude={cls.__name__})
            return _renamed(source, cls.__name__, name, "class")

        return self.ns.define(("copy", id(cls)), cls.__name__, write)

    def _function(self, fn: types.FunctionType) -> str:
        node = self._find((ast.FunctionDef, ast.AsyncFunctionDef), fn.__name__, _first_line(fn))
        if node is None:
            raise Unsupported(f"the source of function {fn.__qualname__} was not found")
        source = self._statement_source(node)
        free = fn.__code__.co_freevars
        cells = dict(zip(free, fn.__closure__ or (), strict=True))
        key = ("copy", fn.__code__, tuple(id(_cell_value(c, fn)) for c in cells.values()))

        def write(name: str) -> str:
            self._bind_globals(source, fn.__globals__, exclude={fn.__name__, *free})
            renamed = _renamed(source, fn.__name__, name, "def")
            if not free:
                return renamed
            assert self.value_code is not None
            values = [self.value_code(_cell_value(cells[v], fn)) for v in free]
            factory = self.ns.claim(("factory", key), f"_make_{name}")
            body = reindent(renamed, 0, "    ")
            return (
                f"def {factory}({', '.join(free)}):\n{body}    return {name}\n\n\n"
                f"{name} = {factory}({', '.join(values)})"
            )

        return self.ns.define(key, fn.__name__, write)

    def _lambda(self, fn: types.FunctionType) -> str:
        line = fn.__code__.co_firstlineno
        found = [
            n for n in ast.walk(self.origin.tree) if isinstance(n, ast.Lambda) and n.lineno == line
        ]
        if len(found) != 1 or fn.__code__.co_freevars:
            raise Unsupported(f"the lambda at {self.origin.file.name}:{line} cannot be copied")
        source = self.origin.segment(found[0])

        def write(name: str) -> str:
            self._bind_globals(f"_ = {source}\n", fn.__globals__, exclude={"_"})
            return f"{name} = {source}"

        return self.ns.define(("copy", fn.__code__), "task_lambda", write)

    def _find(self, kinds: Any, name: str, line: int | None) -> Any:
        candidates = [
            n for n in ast.walk(self.origin.tree) if isinstance(n, kinds) and n.name == name
        ]
        if line is not None:
            exact = [
                n for n in candidates if line in {n.lineno, *(d.lineno for d in n.decorator_list)}
            ]
            candidates = exact or candidates
        return candidates[0] if len(candidates) == 1 else None

    def _statement_source(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> str:
        """The definition without Airflow decorators, dedented to column 0 (string literals
        unchanged, see ``_reindent``)."""
        kept = [d for d in node.decorator_list if not self._airflow_decorator(d)]
        header = "".join(f"@{self.origin.segment(d)}\n" for d in kept)
        text = self.origin.lines(node.lineno, node.end_lineno or node.lineno)
        return header + reindent(text, node.col_offset, "")

    def _airflow_decorator(self, decorator: ast.expr) -> bool:
        root: ast.expr = decorator.func if isinstance(decorator, ast.Call) else decorator
        while isinstance(root, ast.Attribute):
            root = root.value
        if not isinstance(root, ast.Name):
            return False
        value = self.origin.globals.get(root.id)
        module = getattr(value, "__module__", "") or getattr(value, "__name__", "")
        return str(module).startswith("airflow")

    # --- globals ----------------------------------------------------------------------------

    def _bind_globals(self, source: str, scope: Any, exclude: set[str]) -> None:
        for name in global_names(source):
            if name in exclude or (name.startswith("__") and name.endswith("__")):
                continue  # module dunders (__name__...) exist in the generated module too
            if name in scope:
                self.bind_global(name, scope[name])
            elif name in self.origin.globals:
                self.bind_global(name, self.origin.globals[name])
            elif not hasattr(builtins, name):
                continue  # unknown at load time: the copy fails as the original would
        for name in annotation_names(source):
            if name not in exclude:
                self._bind_annotation(name)

    def _bind_annotation(self, name: str) -> None:
        """Import a name annotations use when the DAG file imports it (also under ``if
        TYPE_CHECKING:``) and the import works here; anything else is left as it is."""
        imported = self.origin.imports.get(name)
        if imported is None or not self.ns.is_free(name):
            return
        module, attribute = imported
        try:
            found = importlib.import_module(module)
            if attribute is not None and not hasattr(found, attribute):
                importlib.import_module(f"{module}.{attribute}")
        except Exception:
            return
        if attribute is None:
            self.ns.import_module(module, name, exact=True)
        else:
            self.ns.import_from(module, attribute, name, exact=True)

    def bind_global(self, name: str, value: Any) -> None:
        """Make ``name`` at the top of the generated module stand for ``value``."""
        kind = _is_dag_object(value)
        if kind is not None:
            raise Unsupported(f"the task code uses {name!r}, a {kind} of the DAG file")
        imported = self.origin.imports.get(name)
        if imported is not None:
            module, attribute = imported
            if attribute is None:
                self.ns.import_module(module, name, exact=True)
            else:
                self.ns.import_from(module, attribute, name, exact=True)
            return
        if isinstance(value, types.ModuleType):
            self.ns.import_module(value.__name__, name, exact=True)
            return
        if isinstance(value, (types.FunctionType, type)) or callable(
            getattr(value, "function", None)
        ):
            expression = self.callable(value)
            if expression != name:
                self.ns.define(("alias", name), name, lambda n: f"{n} = {expression}", exact=True)
            return
        statement = single_assignment(self.origin.tree, name)
        if statement is not None and is_computed(statement) and self._copyable(statement):
            self.copy_statement(name)  # kept as code: its value may differ between machines
            return
        try:
            assert self.literal_code is not None
            expression = self.literal_code(value)
        except Unsupported:
            self.copy_statement(name)
            return
        computed = computed_binding(self.origin.tree, name)
        if computed is not None and self.ns.name_of(("global", name)) is None:
            line = self.origin.segment(computed).splitlines()[0]
            self.frozen.append(Frozen(self.task_id, name, line, expression))
        self.ns.define(("global", name), name, lambda n: f"{n} = {expression}", exact=True)

    def _copyable(self, statement: ast.stmt) -> bool:
        """Whether the module-level statement can be copied: every name it reads exists and
        none is a DAG object."""
        for name in global_names(self.origin.segment(statement) + "\n"):
            if name in self.origin.globals:
                if _is_dag_object(self.origin.globals[name]) is not None:
                    return False
            elif not hasattr(builtins, name) and not name.startswith("__"):
                return False
        return True

    def copy_statement(self, name: str) -> str:
        """Copy the module-level assignment of ``name`` (and what it uses) as written."""
        statement = self.origin.assignments.get(name)
        if statement is None:
            raise Unsupported(f"the value of {name!r} has no source form and no assignment")
        source = self.origin.segment(statement)

        def write(bound: str) -> str:
            self._bind_globals(source + "\n", self.origin.globals, exclude={name})
            return source

        return self.ns.define(("global", name), name, write, exact=True)

    def global_name_for(self, value: Any) -> str | None:
        """The module-level name the DAG file assigns ``value`` to, its assignment copied."""
        for name, bound in self.origin.globals.items():
            if bound is value and name in self.origin.assignments and not name.startswith("__"):
                if _is_dag_object(value) is not None:
                    return None
                return self.copy_statement(name)
        return None


def _first_line(value: Any) -> int | None:
    code = getattr(value, "__code__", None)
    if code is not None:
        return int(code.co_firstlineno)
    try:
        return inspect.getsourcelines(value)[1]
    except (OSError, TypeError):
        return None


def _cell_value(cell: Any, fn: Any) -> Any:
    try:
        return cell.cell_contents
    except ValueError:
        raise Unsupported(f"function {fn.__qualname__} closes over an unset variable") from None


def _renamed(source: str, old: str, new: str, keyword: str) -> str:
    if old == new:
        return source
    marker = f"{keyword} {old}"
    return source.replace(marker, f"{keyword} {new}", 1)
