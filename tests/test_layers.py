"""The layer rule of docs/adr/0002-layers.md, checked over asset2airflow's real import graph.

``errors < authoring < asset_graph < execution < airflow < plugin | cli | migrate``; ``io`` sits
beside ``execution`` and imports ``authoring`` only; ``testing`` imports anything below the plugin.
Every module is parsed with ``ast``; imports inside functions count (they run too), imports under
``if TYPE_CHECKING:`` do not. An import up a layer is allowed only where it is listed in
``SEAMS``; a circle of imports never spans two packages; the circles inside one package are the
``KNOWN_CIRCLES`` (a list that may only shrink). The authoring, graph, execution and io layers never
import Airflow (or heavy data libraries): importing them is what every DAG parse pays for.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import asset2airflow

PACKAGE_DIR = Path(asset2airflow.__file__).parent
ROOT = "asset2airflow"

_BELOW_AIRFLOW = frozenset({"errors", "authoring", "asset_graph", "io", "execution", "loading"})
_BELOW_PLUGIN = _BELOW_AIRFLOW | {"airflow"}

MAY_IMPORT: dict[str, frozenset[str]] = {
    "errors": frozenset(),
    "authoring": frozenset({"errors"}),
    "asset_graph": frozenset({"errors", "authoring"}),
    "io": frozenset({"errors", "authoring"}),
    "execution": frozenset({"errors", "authoring", "asset_graph", "io"}),
    "loading": frozenset({"errors", "authoring", "asset_graph"}),
    "airflow": _BELOW_AIRFLOW,
    "testing": _BELOW_PLUGIN,
    "plugin": _BELOW_PLUGIN,
    "migrate": _BELOW_PLUGIN,
    "cli": _BELOW_PLUGIN | {"migrate"},  # ``asset2airflow migrate`` is a subcommand
    "": frozenset({"errors", "authoring", "asset_graph", "io", "execution"}),
}
"""Which packages each package may import (``""`` is ``asset2airflow/__init__.py``, the public
face: it imports no Airflow, and nothing inside the package imports it)."""

SEAMS: frozenset[tuple[str, str, str]] = frozenset(
    (f"{ROOT}.authoring.seams", f"{ROOT}.{target}", name)
    for target, name in [
        # JobDefinition.op_graph / @graph_asset: the op graph is flattened where it is declared.
        ("asset_graph.op_graph", "build_op_graph"),
        # @job / to_job(config=...): the default config is checked where the job is declared.
        ("execution.job_runner", "check_job_config"),
        # define_asset_job(config=...): read as run config when the Definitions is built.
        ("execution.run_config", "ParsedRunConfig"),
        # JobDefinition.execute_in_process (and GraphDefinition's, through to_job).
        ("execution.job_runner", "execute_job"),
        # AssetJobDefinition.execute_in_process (defs.get_job_def(name)).
        ("execution.asset_job_runner", "execute_asset_job"),
        # @graph_asset / @graph_multi_asset: the graph's ops run inside the asset's step.
        ("execution.graph_asset_runner", "run_graph_in_asset"),
        # Definitions.get_asset_value_loader / load_asset_value.
        ("execution.value_loader", "AssetValueLoader"),
    ]
)
"""(importing module, imported module, name): the only imports up a layer. Each is made inside
a function of ``asset2airflow/authoring/seams.py``, where Dagster's API puts an operation of an
upper layer on a definition."""

KNOWN_CIRCLES: frozenset[frozenset[str]] = frozenset(
    frozenset(f"{ROOT}.{m}" for m in circle)
    for circle in [
        # Dagster's API: AssetSelection's constructors return its operator classes, which
        # subclass it, and from_string's parser builds them (imports inside the constructors).
        ["authoring.selection", "authoring.selection_operators", "authoring.selection_syntax"],
    ]
)
"""Circles of imports inside one package that are still to be opened; remove an entry when its
circle is gone (the test says so)."""


@dataclass(frozen=True)
class Import:
    importer: str
    target: str
    """The imported module (``from m import submodule`` imports the submodule)."""
    name: str | None
    """The imported name when it is not a module (``from m import name``)."""
    line: int
    in_function: bool

    def where(self) -> str:
        what = f"{self.target}.{self.name}" if self.name else self.target
        return f"{self.importer}:{self.line} imports {what}"


def package_of(module: str) -> str:
    """``authoring`` for ``asset2airflow.authoring.keys``; ``""`` for ``asset2airflow``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def module_paths(package_dir: Path = PACKAGE_DIR) -> dict[str, Path]:
    paths: dict[str, Path] = {}
    for path in sorted(package_dir.rglob("*.py")):
        parts = [ROOT, *path.relative_to(package_dir).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        paths[".".join(parts)] = path
    return paths


def imports_of(module: str, source: str, modules: set[str], is_package: bool) -> list[Import]:
    """The imports of ``asset2airflow`` modules that run when ``module`` runs (the bodies of
    ``if TYPE_CHECKING:`` are left out, their ``else:`` kept)."""
    here = module if is_package else module.rpartition(".")[0]
    found: list[Import] = []

    def absolute(node: ast.ImportFrom) -> str:
        if not node.level:
            return node.module or ""
        base = here.split(".")[: len(here.split(".")) - node.level + 1]
        return ".".join(base + ([node.module] if node.module else []))

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child.test):
                for statement in child.orelse:
                    visit_statement(statement, in_function)
            else:
                visit_statement(child, in_function)

    def visit_statement(node: ast.AST, in_function: bool) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if _ours(alias.name):
                    found.append(Import(module, alias.name, None, node.lineno, in_function))
        elif isinstance(node, ast.ImportFrom):
            base = absolute(node)
            if _ours(base):
                for alias in node.names:
                    sub = f"{base}.{alias.name}"
                    target, name = (sub, None) if sub in modules else (base, alias.name)
                    found.append(Import(module, target, name, node.lineno, in_function))
        else:
            inside = in_function or isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            visit(node, inside)

    visit(ast.parse(source), False)
    return found


def _ours(module: str) -> bool:
    return module == ROOT or module.startswith(f"{ROOT}.")


def _is_type_checking(test: ast.expr) -> bool:
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


def import_graph() -> list[Import]:
    paths = module_paths()
    names = set(paths)
    return [
        found
        for module, path in paths.items()
        for found in imports_of(module, path.read_text(), names, path.name == "__init__.py")
    ]


def is_seam(found: Import) -> bool:
    return (found.importer, found.target, found.name or "") in SEAMS


def upward_imports(graph: list[Import]) -> Iterator[Import]:
    for found in graph:
        source, target = package_of(found.importer), package_of(found.target)
        if source == target or is_seam(found):
            continue
        if target not in MAY_IMPORT[source]:
            yield found


def circles(graph: list[Import]) -> list[frozenset[str]]:
    """The strongly connected components (of more than one module), seams left out."""
    edges: dict[str, set[str]] = {}
    for found in graph:
        if not is_seam(found) and found.target != found.importer:
            edges.setdefault(found.importer, set()).add(found.target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found_circles: list[frozenset[str]] = []

    def connect(node: str) -> None:  # Tarjan's algorithm
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(edges.get(node, ())):
            if other not in index:
                connect(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                found_circles.append(frozenset(component))

    for node in sorted(edges):
        if node not in index:
            connect(node)
    return found_circles


def test_every_package_has_a_layer() -> None:
    packages = {package_of(m) for m in module_paths()}
    assert packages == set(MAY_IMPORT), "give the new package a row in MAY_IMPORT"


def test_no_import_runs_up_a_layer() -> None:
    wrong = [
        f"{f.where()}: {package_of(f.importer) or ROOT} may import "
        f"{sorted(MAY_IMPORT[package_of(f.importer)])}"
        for f in upward_imports(import_graph())
    ]
    assert not wrong, "imports up a layer (go through asset2airflow/authoring/seams.py):\n" + (
        "\n".join(wrong)
    )


def test_no_circle_spans_two_packages() -> None:
    spanning = [sorted(c) for c in circles(import_graph()) if len({package_of(m) for m in c}) > 1]
    assert not spanning, f"import circles across packages: {spanning}"


def test_circles_inside_a_package_are_the_known_ones() -> None:
    inside = {c for c in circles(import_graph()) if len({package_of(m) for m in c}) == 1}
    assert not inside - KNOWN_CIRCLES, (
        f"new import circles: {[sorted(c) for c in inside - KNOWN_CIRCLES]}"
    )
    assert not KNOWN_CIRCLES - inside, (
        f"these circles are gone; remove them from KNOWN_CIRCLES: "
        f"{[sorted(c) for c in KNOWN_CIRCLES - inside]}"
    )


def test_every_seam_is_a_lazy_import_that_exists() -> None:
    used = {(f.importer, f.target, f.name or ""): f for f in import_graph() if is_seam(f)}
    assert set(used) == SEAMS, f"listed but not imported: {sorted(SEAMS - set(used))}"
    eager = [f.where() for f in used.values() if not f.in_function]
    assert not eager, f"a seam imports when it is called, not when it is imported: {eager}"


def test_the_graph_counts_function_imports_and_skips_type_checking() -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "from asset2airflow.errors import DefinitionError\n"
        "if TYPE_CHECKING:\n"
        "    from asset2airflow.execution.plan import ExecutionPlan\n"
        "else:\n"
        "    from asset2airflow.authoring import keys\n"
        "def run():\n"
        "    from asset2airflow.execution.runner import materialize\n"
        "class Job:\n"
        "    def go(self):\n"
        "        from . import graph\n"
    )
    modules = {f"{ROOT}.authoring.keys", f"{ROOT}.authoring.graph"}
    found = imports_of(f"{ROOT}.authoring.jobs", source, modules, is_package=False)
    assert [(f.target, f.name, f.in_function) for f in found] == [
        (f"{ROOT}.errors", "DefinitionError", False),
        (f"{ROOT}.authoring.keys", None, False),
        (f"{ROOT}.execution.runner", "materialize", True),
        (f"{ROOT}.authoring.graph", None, True),
    ]
    assert [f.where() for f in upward_imports(found)] == [
        f"{ROOT}.authoring.jobs:8 imports {ROOT}.execution.runner.materialize"
    ]


def test_no_module_is_over_500_lines() -> None:
    long = {
        str(path.relative_to(PACKAGE_DIR.parent)): n
        for path in module_paths().values()
        if (n := len(path.read_text().splitlines())) > 500
    }
    assert not long, f"split these modules (500 lines at most): {long}"


def test_core_layers_import_without_airflow_pandas_or_sqlalchemy() -> None:
    code = (
        "import sys, asset2airflow, asset2airflow.execution, asset2airflow.io, "
        "asset2airflow.airflow.plan, asset2airflow.airflow.render, "
        "asset2airflow.airflow.op_plan\n"
        "print(sorted(m for m in ('airflow', 'pandas', 'pyarrow', 'sqlalchemy') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
