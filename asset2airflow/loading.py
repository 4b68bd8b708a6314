"""Finding the ``Definitions`` of a code location: a Python file or an importable module.

Used by the CLI, the test fixtures and the Airflow dags-folder loader. Importing a user file is
the only side effect; a failure names the file.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from asset2airflow.asset_graph.definitions import Definitions
from asset2airflow.authoring.definitions_decorator import LazyDefinitions
from asset2airflow.errors import Asset2AirflowError, DefinitionError


def import_file(path: Path) -> ModuleType:
    """Import a Python file under a module name derived from its absolute path."""
    resolved = path.resolve()
    digest = hashlib.sha1(str(resolved).encode()).hexdigest()[:10]
    module_name = f"asset2airflow_location_{resolved.stem}_{digest}"
    spec = importlib.util.spec_from_file_location(module_name, resolved)
    if spec is None or spec.loader is None:
        raise DefinitionError(f"{path}: cannot be imported as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except Asset2AirflowError:
        sys.modules.pop(module_name, None)
        raise
    except Exception as exc:
        sys.modules.pop(module_name, None)
        raise DefinitionError(
            f"{path}: importing the file failed: {type(exc).__name__}: {exc}"
        ) from exc
    return module


def import_location(target: str) -> ModuleType:
    """A file path (``dags/sales.py``) or a dotted module name (``my_pkg.assets``)."""
    path = Path(target)
    if path.suffix == ".py" or path.exists():
        if not path.is_file():
            raise DefinitionError(f"{target}: no such file; pass a .py file or a module name")
        return import_file(path)
    try:
        return importlib.import_module(target)
    except ModuleNotFoundError as exc:
        raise DefinitionError(
            f"{target}: neither a file nor an importable module ({exc}); pass a path to a .py "
            "file or a dotted module name on PYTHONPATH"
        ) from exc


def definitions_in(module: ModuleType, label: str) -> Definitions:
    """The module's one ``Definitions`` object (conventionally named ``defs``), or the one a
    module-level ``@definitions`` function builds (called here)."""
    found = {name: v for name, v in vars(module).items() if isinstance(v, Definitions)}
    for name, value in vars(module).items():
        if isinstance(value, LazyDefinitions):
            built = value()
            if not isinstance(built, Definitions):
                raise DefinitionError(
                    f"{label}: @definitions function {name!r} returned {built!r}; return a "
                    "Definitions(...)"
                )
            found[name] = built
    if len(found) == 1:
        return next(iter(found.values()))
    if "defs" in found:
        return found["defs"]
    if not found:
        raise DefinitionError(
            f"{label} defines no Definitions object; add `defs = Definitions(assets=[...])` at "
            "module level"
        )
    raise DefinitionError(
        f"{label} defines several Definitions objects {sorted(found)}; name the one to use `defs`"
    )


def load_definitions(target: str) -> Definitions:
    return definitions_in(import_location(target), target)
