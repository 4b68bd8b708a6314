"""asset2airflow: Dagster-style software-defined assets, compiled into native Airflow 3 DAGs.

Write assets with the names you know from Dagster (``from asset2airflow import asset, ...``),
test them in-process with ``materialize()``, and drop the module into Airflow's dags folder.
"""

from asset2airflow.asset_graph.definitions import Definitions
from asset2airflow.definitions.assets import AssetsDefinition, with_resources
from asset2airflow.definitions.checks import AssetChecksDefinition, asset_check
from asset2airflow.definitions.config import Config, EnvVar, RunConfig
from asset2airflow.definitions.context import (
    AssetCheckExecutionContext,
    AssetExecutionContext,
    InitResourceContext,
    OpExecutionContext,
    RunInfo,
    build_asset_context,
)
from asset2airflow.definitions.decorators import asset, multi_asset
from asset2airflow.definitions.dynamic_partitions import (
    AddDynamicPartitionsRequest,
    DagsterInstance,
    DeleteDynamicPartitionsRequest,
    DynamicPartitionsDefinition,
    DynamicPartitionsStore,
)
from asset2airflow.definitions.io_manager import (
    ConfigurableIOManager,
    InputContext,
    IOManager,
    IOManagerDefinition,
    OutputContext,
    build_input_context,
    build_output_context,
    io_manager,
)
from asset2airflow.definitions.jobs import AssetJobDefinition, define_asset_job
from asset2airflow.definitions.keys import AssetCheckKey, AssetKey
from asset2airflow.definitions.metadata import (
    MetadataValue,
    TableColumn,
    TableRecord,
    TableSchema,
)
from asset2airflow.definitions.module_loaders import (
    load_assets_from_modules,
    load_assets_from_package_module,
    load_assets_from_package_name,
)
from asset2airflow.definitions.multi_partitions import (
    MultiPartitionKey,
    MultiPartitionsDefinition,
)
from asset2airflow.definitions.partition_mappings import (
    AllPartitionMapping,
    IdentityPartitionMapping,
    LastPartitionMapping,
    MultiToSingleDimensionPartitionMapping,
    PartitionMapping,
    SpecificPartitionsPartitionMapping,
    StaticPartitionMapping,
    TimeWindowPartitionMapping,
)
from asset2airflow.definitions.partitions import (
    PartitionKeyRange,
    PartitionsDefinition,
    StaticPartitionsDefinition,
)
from asset2airflow.definitions.policy import (
    AutomationCondition,
    Backoff,
    Jitter,
    RetryPolicy,
    RetryRequested,
)
from asset2airflow.definitions.resources import ConfigurableResource
from asset2airflow.definitions.results import (
    AssetCheckEvaluation,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetMaterialization,
    MaterializeResult,
    Output,
)
from asset2airflow.definitions.selection import AssetSelection
from asset2airflow.definitions.specs import AssetCheckSpec, AssetDep, AssetIn, AssetOut, AssetSpec
from asset2airflow.definitions.time_partitions import (
    DailyPartitionsDefinition,
    HourlyPartitionsDefinition,
    MonthlyPartitionsDefinition,
    TimeWindow,
    TimeWindowPartitionsDefinition,
    WeeklyPartitionsDefinition,
)
from asset2airflow.errors import (
    Asset2AirflowError,
    BlockingCheckFailedError,
    ConfigError,
    CycleError,
    DefinitionError,
    DuplicateKeyError,
    EnvVarNotSetError,
    ExecutionError,
    InvalidMetadataError,
    InvalidNameError,
    IOManagerError,
    MissingResourceError,
    MissingUpstreamValueError,
    OutputMismatchError,
    PartitionError,
    ResourceError,
    SelectionError,
    UnknownCheckTargetError,
    UnknownUpstreamError,
    UserCodeError,
)
from asset2airflow.execution.result import ExecutionResult
from asset2airflow.execution.runner import materialize, materialize_to_memory
from asset2airflow.io import (
    FilesystemIOManager,
    InMemoryIOManager,
    ParquetIOManager,
    SQLTableIOManager,
)

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
    "DagsterInstance",
    "DailyPartitionsDefinition",
    "DefinitionError",
    "Definitions",
    "DeleteDynamicPartitionsRequest",
    "DuplicateKeyError",
    "DynamicPartitionsDefinition",
    "DynamicPartitionsStore",
    "EnvVar",
    "EnvVarNotSetError",
    "ExecutionError",
    "ExecutionResult",
    "FilesystemIOManager",
    "HourlyPartitionsDefinition",
    "IOManager",
    "IOManagerDefinition",
    "IOManagerError",
    "IdentityPartitionMapping",
    "InMemoryIOManager",
    "InitResourceContext",
    "InputContext",
    "InvalidMetadataError",
    "InvalidNameError",
    "Jitter",
    "LastPartitionMapping",
    "MaterializeResult",
    "MetadataValue",
    "MissingResourceError",
    "MissingUpstreamValueError",
    "MonthlyPartitionsDefinition",
    "MultiPartitionKey",
    "MultiPartitionsDefinition",
    "MultiToSingleDimensionPartitionMapping",
    "OpExecutionContext",
    "Output",
    "OutputContext",
    "OutputMismatchError",
    "ParquetIOManager",
    "PartitionError",
    "PartitionKeyRange",
    "PartitionMapping",
    "PartitionsDefinition",
    "ResourceError",
    "RetryPolicy",
    "RetryRequested",
    "RunConfig",
    "RunInfo",
    "SQLTableIOManager",
    "SelectionError",
    "SpecificPartitionsPartitionMapping",
    "StaticPartitionMapping",
    "StaticPartitionsDefinition",
    "TableColumn",
    "TableRecord",
    "TableSchema",
    "TimeWindow",
    "TimeWindowPartitionMapping",
    "TimeWindowPartitionsDefinition",
    "UnknownCheckTargetError",
    "UnknownUpstreamError",
    "UserCodeError",
    "WeeklyPartitionsDefinition",
    "asset",
    "asset_check",
    "build_asset_context",
    "build_input_context",
    "build_output_context",
    "define_asset_job",
    "io_manager",
    "load_assets_from_modules",
    "load_assets_from_package_module",
    "load_assets_from_package_name",
    "materialize",
    "materialize_to_memory",
    "multi_asset",
    "with_resources",
]
