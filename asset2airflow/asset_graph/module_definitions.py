"""``load_definitions_from_module`` and friends: a ``Definitions`` of everything a module (or
package) defines at module level, as Dagster builds it: assets and ``AssetSpec``s, asset checks,
jobs, schedules and sensors (module-level resource objects are not collected, as in Dagster:
pass them in ``resources=``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import ModuleType
from typing import Any

from asset2airflow.asset_graph.definitions import Definitions
from asset2airflow.authoring.assets import AssetsDefinition
from asset2airflow.authoring.checks import AssetChecksDefinition
from asset2airflow.authoring.jobs import AssetJobDefinition
from asset2airflow.authoring.module_loaders import (
    calling_module,
    import_module_named,
    modules_in_package,
)
from asset2airflow.authoring.op_jobs import JobDefinition
from asset2airflow.authoring.run_status_sensors import RunStatusSensorDefinition
from asset2airflow.authoring.schedules import ScheduleDefinition
from asset2airflow.authoring.sensors import SensorDefinition
from asset2airflow.authoring.specs import AssetSpec
from asset2airflow.errors import DefinitionError, NotSupportedError

_SECTIONS: dict[str, tuple[type, ...]] = {
    "assets": (AssetsDefinition, AssetSpec),
    "asset_checks": (AssetChecksDefinition,),
    "jobs": (AssetJobDefinition, JobDefinition),
    "schedules": (ScheduleDefinition,),
    "sensors": (SensorDefinition, RunStatusSensorDefinition),
}


def load_definitions_from_modules(
    modules: Iterable[ModuleType],
    resources: Mapping[str, Any] | None = None,
    loggers: Any = None,
    executor: Any = None,
) -> Definitions:
    """One ``Definitions`` of every definition found at the top level of ``modules`` (each
    object once), bound to ``resources``. ``loggers`` and ``executor`` are refused: Airflow's
    task log and executor take their place."""
    for argument, value in (("loggers", loggers), ("executor", executor)):
        if value is not None:
            raise NotSupportedError(
                f"load_definitions_from_modules({argument}=...) is not built: ops log to the "
                "Airflow task log, and Airflow's executor runs the tasks."
            )
    found: dict[str, dict[int, Any]] = {section: {} for section in _SECTIONS}
    for module in modules:
        if not isinstance(module, ModuleType):
            raise DefinitionError(f"load_definitions_from_modules: {module!r} is not a module")
        for value in vars(module).values():
            for section, classes in _SECTIONS.items():
                if isinstance(value, classes):
                    found[section].setdefault(id(value), value)
    return Definitions(
        resources=resources, **{section: list(v.values()) for section, v in found.items()}
    )


def load_definitions_from_module(
    module: ModuleType,
    resources: Mapping[str, Any] | None = None,
    loggers: Any = None,
    executor: Any = None,
) -> Definitions:
    return load_definitions_from_modules([module], resources, loggers, executor)


def load_definitions_from_current_module(
    resources: Mapping[str, Any] | None = None, loggers: Any = None, executor: Any = None
) -> Definitions:
    return load_definitions_from_modules([calling_module()], resources, loggers, executor)


def load_definitions_from_package_module(
    package_module: ModuleType,
    resources: Mapping[str, Any] | None = None,
    loggers: Any = None,
    executor: Any = None,
) -> Definitions:
    return load_definitions_from_modules(
        list(modules_in_package(package_module)), resources, loggers, executor
    )


def load_definitions_from_package_name(
    package_name: str,
    resources: Mapping[str, Any] | None = None,
    loggers: Any = None,
    executor: Any = None,
) -> Definitions:
    return load_definitions_from_package_module(
        import_module_named(package_name), resources, loggers, executor
    )
