"""Our subpackage names stay free for Dagster's top-level API.

``from asset2airflow import graph`` must be Dagster's ``@graph`` and, in the next step,
``asset2airflow.definitions`` Dagster's ``@definitions``: a subpackage of the same name would
shadow the decorator as soon as anything imports the subpackage. The list below holds Dagster
1.13's lowercase top-level names (decorators and functions: the only ones a module name can
collide with), read from the Dagster API coverage table (docs/dagster-api.toml).
"""

from __future__ import annotations

import importlib
import pkgutil
import types

import asset2airflow
from tests.test_dagster_api_coverage import load_coverage_script


def _dagster_lowercase_names() -> frozenset[str]:
    """Every lowercase name in the Dagster API coverage table, whatever its classification:
    a refused or not-applicable name is still one a user may import from asset2airflow."""
    table = load_coverage_script().load_table()
    return frozenset(n for n in table.entries if n.islower())


DAGSTER_LOWERCASE_NAMES = _dagster_lowercase_names()


def _our_module_names() -> set[str]:
    return {info.name for info in pkgutil.iter_modules(asset2airflow.__path__)}


def test_the_table_holds_dagsters_lowercase_names() -> None:
    assert {"asset", "definitions", "graph", "resource", "fs_io_manager"} <= DAGSTER_LOWERCASE_NAMES


def test_no_subpackage_or_module_is_named_like_a_dagster_top_level_name() -> None:
    clashes = sorted(_our_module_names() & DAGSTER_LOWERCASE_NAMES)
    assert clashes == [], f"rename these subpackages/modules: {clashes}"


def test_importing_every_subpackage_shadows_no_public_name() -> None:
    before = {name: getattr(asset2airflow, name) for name in asset2airflow.__all__}
    for name in sorted(_our_module_names()):
        if name in {"plugin", "migrate", "testing"}:
            continue  # import Airflow/pytest plugins at import time; no public names there
        importlib.import_module(f"asset2airflow.{name}")
    shadowed = sorted(
        name
        for name, value in before.items()
        if getattr(asset2airflow, name) is not value
        or isinstance(getattr(asset2airflow, name), types.ModuleType)
    )
    assert shadowed == []
