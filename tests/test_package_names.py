"""Our subpackage names stay free for Dagster's top-level API.

``from asset2airflow import graph`` must be Dagster's ``@graph`` and, in the next step,
``asset2airflow.definitions`` Dagster's ``@definitions``: a subpackage of the same name would
shadow the decorator as soon as anything imports the subpackage. The list below holds Dagster
1.13's lowercase top-level names (decorators and functions: the only ones a module name can
collide with); the Dagster API coverage table will supersede it.
"""

from __future__ import annotations

import importlib
import pkgutil
import types

import asset2airflow

DAGSTER_LOWERCASE_NAMES = frozenset(
    [
        "asset",
        "asset_check",
        "asset_sensor",
        "build_asset_context",
        "build_hook_context",
        "build_init_logger_context",
        "build_init_resource_context",
        "build_input_context",
        "build_op_context",
        "build_output_context",
        "build_resources",
        "build_run_status_sensor_context",
        "build_schedule_context",
        "build_schedule_from_partitioned_job",
        "build_sensor_context",
        "config_from_files",
        "config_from_pkg_resources",
        "config_from_yaml_strings",
        "config_mapping",
        "configured",
        "custom_path_fs_io_manager",
        "daily_partitioned_config",
        "dagster_type_loader",
        "default_executors",
        "default_loggers",
        "define_asset_job",
        "definitions",
        "deserialize_value",
        "executor",
        "failure_hook",
        "file_relative_path",
        "fs_io_manager",
        "get_dagster_logger",
        "graph",
        "graph_asset",
        "graph_multi_asset",
        "hourly_partitioned_config",
        "in_process_executor",
        "input_manager",
        "io_manager",
        "job",
        "load_assets_from_current_module",
        "load_assets_from_modules",
        "load_assets_from_package_module",
        "load_assets_from_package_name",
        "load_definitions_from_module",
        "logger",
        "make_values_resource",
        "materialize",
        "materialize_to_memory",
        "mem_io_manager",
        "monthly_partitioned_config",
        "multi_asset",
        "multi_asset_check",
        "multi_asset_sensor",
        "multi_observable_source_asset",
        "multiprocess_executor",
        "observable_source_asset",
        "op",
        "partitioned_config",
        "repository",
        "resource",
        "run_failure_sensor",
        "run_status_sensor",
        "schedule",
        "sensor",
        "serialize_value",
        "static_partitioned_config",
        "success_hook",
        "usable_as_dagster_type",
        "validate_run_config",
        "weekly_partitioned_config",
        "with_resources",
    ]
)


def _our_module_names() -> set[str]:
    return {info.name for info in pkgutil.iter_modules(asset2airflow.__path__)}


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
