"""asset2airflow: Dagster-style software-defined assets, compiled into native Airflow 3 DAGs.

Write assets with the names you know from Dagster (``from asset2airflow import asset, ...``),
test them in-process with ``materialize()``, and drop the module into Airflow's dags folder.
"""

from typing import Any

from asset2airflow.asset_graph.definitions import Definitions
from asset2airflow.asset_graph.module_definitions import (
    load_definitions_from_current_module,
    load_definitions_from_module,
    load_definitions_from_modules,
    load_definitions_from_package_module,
    load_definitions_from_package_name,
)
from asset2airflow.authoring.assets import AssetsDefinition, map_asset_specs, with_resources
from asset2airflow.authoring.checks import AssetChecksDefinition, asset_check
from asset2airflow.authoring.config import Config, EnvVar, RunConfig
from asset2airflow.authoring.context import (
    AssetCheckExecutionContext,
    AssetExecutionContext,
    OpExecutionContext,
    RunInfo,
    build_asset_context,
    build_op_context,
)
from asset2airflow.authoring.dagster_types import Nothing
from asset2airflow.authoring.decorators import asset, multi_asset
from asset2airflow.authoring.definitions_decorator import definitions
from asset2airflow.authoring.dynamic_partitions import (
    AddDynamicPartitionsRequest,
    DagsterInstance,
    DeleteDynamicPartitionsRequest,
    DynamicPartitionsDefinition,
    DynamicPartitionsStore,
    instance_for_test,
)
from asset2airflow.authoring.graph_assets import graph_asset, graph_multi_asset
from asset2airflow.authoring.graphs import (
    DependencyDefinition,
    GraphDefinition,
    MultiDependencyDefinition,
    graph,
    job,
)
from asset2airflow.authoring.io_manager import (
    ConfigurableIOManager,
    InputContext,
    IOManager,
    IOManagerDefinition,
    OutputContext,
    build_input_context,
    build_output_context,
    io_manager,
)
from asset2airflow.authoring.jobs import AssetJobDefinition, define_asset_job
from asset2airflow.authoring.keys import AssetCheckKey, AssetKey
from asset2airflow.authoring.metadata import (
    MetadataValue,
    TableColumn,
    TableRecord,
    TableSchema,
)
from asset2airflow.authoring.module_loaders import (
    load_assets_from_current_module,
    load_assets_from_modules,
    load_assets_from_package_module,
    load_assets_from_package_name,
)
from asset2airflow.authoring.multi_partitions import (
    MultiPartitionKey,
    MultiPartitionsDefinition,
)
from asset2airflow.authoring.op_jobs import JobDefinition
from asset2airflow.authoring.op_results import DynamicOutput, ExpectationResult, Failure
from asset2airflow.authoring.ops import DynamicOut, In, OpDefinition, Out, op
from asset2airflow.authoring.partition_mappings import (
    AllPartitionMapping,
    IdentityPartitionMapping,
    LastPartitionMapping,
    MultiToSingleDimensionPartitionMapping,
    PartitionMapping,
    SpecificPartitionsPartitionMapping,
    StaticPartitionMapping,
    TimeWindowPartitionMapping,
)
from asset2airflow.authoring.partitioned_config import (
    PartitionedConfig,
    daily_partitioned_config,
    hourly_partitioned_config,
    monthly_partitioned_config,
    partitioned_config,
    static_partitioned_config,
    weekly_partitioned_config,
)
from asset2airflow.authoring.partitions import (
    PartitionKeyRange,
    PartitionsDefinition,
    StaticPartitionsDefinition,
)
from asset2airflow.authoring.policy import (
    AutomationCondition,
    Backoff,
    Jitter,
    RetryPolicy,
    RetryRequested,
)
from asset2airflow.authoring.resource_definitions import (
    ResourceDefinition,
    build_init_resource_context,
    make_values_resource,
    resource,
)
from asset2airflow.authoring.resources import (
    ConfigurableResource,
    InitResourceContext,
    ResourceParam,
)
from asset2airflow.authoring.results import (
    AssetCheckEvaluation,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetMaterialization,
    MaterializeResult,
    Output,
)
from asset2airflow.authoring.run_requests import (
    DagsterRunStatus,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    RunRequest,
    SensorResult,
    SkipReason,
)
from asset2airflow.authoring.run_status_sensors import (
    DagsterRun,
    RunFailureSensorContext,
    RunStatusSensorContext,
    RunStatusSensorDefinition,
    build_run_status_sensor_context,
    run_failure_sensor,
    run_status_sensor,
)
from asset2airflow.authoring.schedules import (
    ScheduleDefinition,
    ScheduleEvaluationContext,
    build_schedule_context,
    build_schedule_from_partitioned_job,
    schedule,
)
from asset2airflow.authoring.selection import AssetSelection
from asset2airflow.authoring.sensors import (
    AssetSensorDefinition,
    EventLogEntry,
    SensorDefinition,
    SensorEvaluationContext,
    asset_sensor,
    build_sensor_context,
    sensor,
)
from asset2airflow.authoring.specs import AssetCheckSpec, AssetDep, AssetIn, AssetOut, AssetSpec
from asset2airflow.authoring.time_partitions import (
    DailyPartitionsDefinition,
    HourlyPartitionsDefinition,
    MonthlyPartitionsDefinition,
    TimeWindow,
    TimeWindowPartitionsDefinition,
    WeeklyPartitionsDefinition,
)
from asset2airflow.authoring.user_utilities import file_relative_path, get_dagster_logger
from asset2airflow.errors import (
    Asset2AirflowError,
    BlockingCheckFailedError,
    ConfigError,
    CycleError,
    DefinitionError,
    DuplicateKeyError,
    EnvVarNotSetError,
    ExecutionError,
    FailureError,
    InvalidMetadataError,
    InvalidNameError,
    IOManagerError,
    MissingResourceError,
    MissingUpstreamValueError,
    NotSupportedError,
    OutputMismatchError,
    PartitionError,
    ResourceError,
    SelectionError,
    TypeCheckError,
    UnknownCheckTargetError,
    UnknownUpstreamError,
    UserCodeError,
)
from asset2airflow.execution.job_runner import JobExecutionResult
from asset2airflow.execution.resources import build_resources
from asset2airflow.execution.result import ExecutionResult
from asset2airflow.execution.run_events import StepEventType as DagsterEventType
from asset2airflow.execution.runner import materialize, materialize_to_memory
from asset2airflow.io import (
    FilesystemIOManager,
    InMemoryIOManager,
    ParquetIOManager,
    SQLTableIOManager,
)
from asset2airflow.io.io_manager_definitions import fs_io_manager, mem_io_manager

ExecuteInProcessResult = JobExecutionResult
"""Dagster's name for what a job's ``execute_in_process`` returns."""

__all__ = [
    "AddDynamicPartitionsRequest",
    "AllPartitionMapping",
    "Asset2AirflowError",
    "AssetCheckEvaluation",
    "AssetCheckExecutionContext",
    "AssetCheckKey",
    "AssetCheckResult",
    "AssetCheckSeverity",
    "AssetCheckSpec",
    "AssetChecksDefinition",
    "AssetDep",
    "AssetExecutionContext",
    "AssetIn",
    "AssetJobDefinition",
    "AssetKey",
    "AssetMaterialization",
    "AssetOut",
    "AssetSelection",
    "AssetSensorDefinition",
    "AssetSpec",
    "AssetsDefinition",
    "AutomationCondition",
    "Backoff",
    "BlockingCheckFailedError",
    "Config",
    "ConfigError",
    "ConfigurableIOManager",
    "ConfigurableResource",
    "CycleError",
    "DagsterEventType",
    "DagsterInstance",
    "DagsterRun",
    "DagsterRunStatus",
    "DailyPartitionsDefinition",
    "DefaultScheduleStatus",
    "DefaultSensorStatus",
    "DefinitionError",
    "Definitions",
    "DeleteDynamicPartitionsRequest",
    "DependencyDefinition",
    "DuplicateKeyError",
    "DynamicOut",
    "DynamicOutput",
    "DynamicPartitionsDefinition",
    "DynamicPartitionsStore",
    "EnvVar",
    "EnvVarNotSetError",
    "EventLogEntry",
    "ExecuteInProcessResult",
    "ExecutionError",
    "ExecutionResult",
    "ExpectationResult",
    "Failure",
    "FailureError",
    "FilesystemIOManager",
    "GraphDefinition",
    "HourlyPartitionsDefinition",
    "IOManager",
    "IOManagerDefinition",
    "IOManagerError",
    "IdentityPartitionMapping",
    "In",
    "InMemoryIOManager",
    "InitResourceContext",
    "InputContext",
    "InvalidMetadataError",
    "InvalidNameError",
    "Jitter",
    "JobDefinition",
    "JobExecutionResult",
    "LastPartitionMapping",
    "MaterializeResult",
    "MetadataValue",
    "MissingResourceError",
    "MissingUpstreamValueError",
    "MonthlyPartitionsDefinition",
    "MultiDependencyDefinition",
    "MultiPartitionKey",
    "MultiPartitionsDefinition",
    "MultiToSingleDimensionPartitionMapping",
    "NotSupportedError",
    "Nothing",
    "OpDefinition",
    "OpExecutionContext",
    "Out",
    "Output",
    "OutputContext",
    "OutputMismatchError",
    "ParquetIOManager",
    "PartitionError",
    "PartitionKeyRange",
    "PartitionMapping",
    "PartitionedConfig",
    "PartitionsDefinition",
    "ResourceDefinition",
    "ResourceError",
    "ResourceParam",
    "RetryPolicy",
    "RetryRequested",
    "RunConfig",
    "RunFailureSensorContext",
    "RunInfo",
    "RunRequest",
    "RunStatusSensorContext",
    "RunStatusSensorDefinition",
    "SQLTableIOManager",
    "ScheduleDefinition",
    "ScheduleEvaluationContext",
    "SelectionError",
    "SensorDefinition",
    "SensorEvaluationContext",
    "SensorResult",
    "SkipReason",
    "SpecificPartitionsPartitionMapping",
    "StaticPartitionMapping",
    "StaticPartitionsDefinition",
    "TableColumn",
    "TableRecord",
    "TableSchema",
    "TimeWindow",
    "TimeWindowPartitionMapping",
    "TimeWindowPartitionsDefinition",
    "TypeCheckError",
    "UnknownCheckTargetError",
    "UnknownUpstreamError",
    "UserCodeError",
    "WeeklyPartitionsDefinition",
    "asset",
    "asset_check",
    "asset_sensor",
    "build_asset_context",
    "build_init_resource_context",
    "build_input_context",
    "build_op_context",
    "build_output_context",
    "build_resources",
    "build_run_status_sensor_context",
    "build_schedule_context",
    "build_schedule_from_partitioned_job",
    "build_sensor_context",
    "daily_partitioned_config",
    "define_asset_job",
    "definitions",
    "file_relative_path",
    "fs_io_manager",
    "get_dagster_logger",
    "graph",
    "graph_asset",
    "graph_multi_asset",
    "hourly_partitioned_config",
    "instance_for_test",
    "io_manager",
    "job",
    "load_assets_from_current_module",
    "load_assets_from_modules",
    "load_assets_from_package_module",
    "load_assets_from_package_name",
    "load_definitions_from_current_module",
    "load_definitions_from_module",
    "load_definitions_from_modules",
    "load_definitions_from_package_module",
    "load_definitions_from_package_name",
    "make_values_resource",
    "map_asset_specs",
    "materialize",
    "materialize_to_memory",
    "mem_io_manager",
    "monthly_partitioned_config",
    "multi_asset",
    "op",
    "partitioned_config",
    "resource",
    "run_failure_sensor",
    "run_status_sensor",
    "schedule",
    "sensor",
    "static_partitioned_config",
    "weekly_partitioned_config",
    "with_resources",
]


def __getattr__(name: str) -> Any:
    """Dagster names we do not build (``authoring/refused.py``): importing one gives a stub whose
    first use raises ``NotSupportedError`` naming the alternative, instead of an ImportError that
    cannot tell "not yet" from "never"."""
    from asset2airflow.authoring.refused import refused_name

    return refused_name(name)
