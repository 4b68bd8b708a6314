"""Dagster's public names that asset2airflow does not build, each refused with what to use instead.

A Dagster project swaps ``from dagster import`` for ``from asset2airflow import``. A name we do
not build must not stop the module with a bare ``ImportError`` (the user cannot tell "not yet"
from "never"), nor import as something that half works. So ``from asset2airflow import
resource`` gives a stub, and the first *use* of it (a call, a decorator, an attribute, a
subscript, subclassing, ``isinstance``) raises ``NotSupportedError`` naming the alternative.
Names a program uses as plain values without calling them (``custom_path_fs_io_manager``
passed as a resource, ``in_process_executor``, a tag constant) and Dagster's exception classes
(caught, never called) are refused when they are imported, since no later use would reach a stub.

``REFUSED`` is the one list: ``docs/dagster-api.toml`` classifies these names as refused and
``scripts/dagster_api_coverage.py`` checks that both agree.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any, NoReturn

from asset2airflow.errors import NotSupportedError

_RESOURCE = "declare a ConfigurableResource subclass"
_CONFIG = "declare a Config subclass (pydantic fields; EnvVar(...) where Dagster reads a *Source)"
_TYPES = "annotate with Python types: In/Out(dagster_type=<class>) are checked with isinstance"
_LOGS = "log with context.log (it writes to the Airflow task log)"
_EXECUTOR = "Airflow's executor runs the tasks: choose it in the Airflow configuration"
_MODULES = "use load_definitions_from_modules([...]), which collects asset checks too"
_CODE_REFS = "drop it: asset2airflow records each asset's file:line itself"
_OBSERVE = "declare the external asset with AssetSpec(key) and depend on it with deps=[...]"
_FRESHNESS = "write the check with @asset_check"
_AUTOMATION = "use automation_condition=AutomationCondition.eager()/.on_cron(...)"
_CONDITIONS = "conditions compile to Airflow schedules: inspect them with `asset2airflow dags`"
_HOOKS = "use @run_failure_sensor / @run_status_sensor (Airflow callbacks)"
_INSTANCE = "runs and asset events live in Airflow's metadata DB: read them through its REST API"
_RERUN = "call job.execute_in_process() (clear failed tasks in Airflow to re-run them)"
_METADATA = "use MetadataValue.{}(...)"
_ERROR = "catch asset2airflow.{} instead (asset2airflow raises its own error hierarchy)"

REFUSED: dict[str, str] = {
    # resources
    "ResourceDependency": _RESOURCE,
    "IAttachDifferentObjectToOpContext": _RESOURCE + "; the asset receives the resource object",
    "BindResourcesToJobs": "pass resources= to Definitions: every job gets them",
    # IO managers and files
    "ConfigurableIOManagerFactory": "subclass ConfigurableIOManager",
    "ConfigurableLegacyIOManagerAdapter": "subclass ConfigurableIOManager",
    "InputManager": "subclass ConfigurableIOManager and implement load_input",
    "InputManagerDefinition": "subclass ConfigurableIOManager and implement load_input",
    "input_manager": "subclass ConfigurableIOManager and implement load_input",
    "UPathIOManager": "use FilesystemIOManager(base_dir=...) or subclass ConfigurableIOManager",
    "custom_path_fs_io_manager": "use FilesystemIOManager(base_dir=...)",
    "FileHandle": "pass paths (str or pathlib.Path), or store files through an IO manager",
    "LocalFileHandle": "pass paths (str or pathlib.Path), or store files through an IO manager",
    "local_file_manager": "pass paths (str or pathlib.Path), or store files through an IO manager",
    "AssetValueLoader": "use Definitions.get_asset_value_loader() or .load_asset_value(key)",
    # legacy config schema
    **dict.fromkeys(
        [
            "Field", "Shape", "Permissive", "Noneable", "Array", "Enum", "EnumValue", "Map",
            "Selector", "ScalarUnion", "StringSource", "IntSource", "BoolSource", "ConfigSchema",
            "PermissiveConfig",
        ],
        _CONFIG,
    ),
    **dict.fromkeys(
        ["Bool", "Float", "Int", "String"],
        "use Python's bool/float/int/str (as Config fields or type annotations)",
    ),
    "ConfigMapping": "pass config= a Config instance or a RunConfig to the job",
    "config_mapping": "pass config= a Config instance or a RunConfig to the job",
    "configured": "call .configured({...}) on the resource or IO manager definition",
    "config_from_files": "load the YAML yourself (yaml.safe_load) and pass the dict as run config",
    "config_from_yaml_strings": "parse it with yaml.safe_load and pass the dict as run config",
    "config_from_pkg_resources": "load the YAML yourself and pass the dict as run config",
    "validate_run_config": "run the job: execute_in_process(run_config=...) validates it first",
    "dynamic_partitioned_config": "use partitioned_config(partitions_def=...)",
    # Dagster types
    **dict.fromkeys(
        [
            "DagsterType", "PythonObjectDagsterType", "TypeCheck", "TypeCheckContext",
            "check_dagster_type", "usable_as_dagster_type",
            "make_python_type_usable_as_dagster_type", "dagster_type_loader", "DagsterTypeLoader",
            "DagsterTypeLoaderContext", "Dict", "List", "Optional", "Set", "Tuple",
        ],
        _TYPES,
    ),
    # ops, graphs, jobs and their results
    "GraphIn": "declare graph inputs as parameters of the @graph function",
    "GraphOut": "return the graph's outputs from the @graph function (a dict for several)",
    "InputMapping": "write the graph with @graph",
    "OutputMapping": "write the graph with @graph",
    "NodeInvocation": "alias an op inside @graph with op.alias(name)",
    "PendingNodeInvocation": "alias an op inside @graph with op.alias(name)",
    **dict.fromkeys(
        [
            "HookContext", "HookDefinition", "HookExecutionResult", "success_hook", "failure_hook",
            "build_hook_context",
        ],
        _HOOKS,
    ),
    "DagsterEvent": "the events of a job result (result.all_events, .events_for_node(name)) "
    "have event_type, event_type_value and node_name",
    **dict.fromkeys(
        ["execute_job", "reconstructable", "build_reconstructable_job", "ReexecutionOptions"],
        _RERUN,
    ),
    **dict.fromkeys(
        [
            "Executor", "ExecutorDefinition", "ExecutorRequirement", "InitExecutorContext",
            "executor", "in_process_executor", "multiprocess_executor",
            "multi_or_in_process_executor", "multiple_process_executor_requirements",
        ],
        _EXECUTOR,
    ),
    "MAX_RUNTIME_SECONDS_TAG": "set Airflow's execution_timeout with "
    "@airflow_task(execution_timeout=...) from asset2airflow.migrate",
    # loggers
    **dict.fromkeys(
        [
            "LoggerDefinition", "logger", "InitLoggerContext", "build_init_logger_context",
            "colored_console_logger", "json_console_logger", "default_loggers",
            "default_system_loggers", "JsonLogFormatter", "DagsterLogManager",
        ],
        _LOGS,
    ),
    # assets, checks, automation
    **dict.fromkeys(
        [
            "SourceAsset", "AssetObservation", "ObserveResult", "observable_source_asset",
            "multi_observable_source_asset",
        ],
        _OBSERVE,
    ),
    "multi_asset_check": "write one @asset_check per check, or check_specs= on the asset",
    "build_asset_check_context": "run the check with materialize([the_asset, the_check])",
    **dict.fromkeys(
        [
            "build_column_schema_change_checks", "build_metadata_bounds_checks",
            "build_last_update_freshness_checks", "build_time_partition_freshness_checks",
            "build_sensor_for_freshness_checks", "FreshnessPolicy", "LegacyFreshnessPolicy",
            "apply_freshness_policy",
        ],
        _FRESHNESS,
    ),
    "BackfillPolicy": "Airflow backfills a partitioned DAG with one run per partition",
    **dict.fromkeys(
        ["AutoMaterializePolicy", "AutoMaterializeRule", "AutoMaterializeAssetPartitionsFilter"],
        _AUTOMATION,
    ),
    **dict.fromkeys(
        [
            "AutomationConditionSensorDefinition", "AutomationContext", "AutomationResult",
            "EvaluateAutomationConditionsResult", "evaluate_automation_conditions",
        ],
        _CONDITIONS,
    ),
    **dict.fromkeys(
        ["DataVersion", "DataProvenance", "DataVersionsByPartition"],
        "give the asset code_version=..., or record a version in MaterializeResult(metadata=...)",
    ),
    "AssetJobKey": "name jobs by their name (defs.get_job_def(name))",
    "Partition": "use partition keys (str)",
    "partition_loading_context": "partitions definitions need no loading context here",
    "DimensionPartitionMapping": "use MultiToSingleDimensionPartitionMapping",
    "MultiPartitionMapping": "use MultiToSingleDimensionPartitionMapping",
    # sensors
    **dict.fromkeys(
        [
            "MultiAssetSensorDefinition", "MultiAssetSensorEvaluationContext", "multi_asset_sensor",
            "build_multi_asset_sensor_context",
        ],
        "use @asset_sensor per asset, or AutomationCondition.eager() on the downstream asset",
    ),
    "make_email_on_run_failure_sensor": "use @run_failure_sensor, or Airflow's email on failure",
    **dict.fromkeys(
        ["JobSelector", "RepositorySelector", "CodeLocationSelector"],
        "pass the job definitions themselves (monitored_jobs=[job])",
    ),
    **dict.fromkeys(
        [
            "AssetRecordsFilter", "EventRecordsFilter", "EventLogRecord", "EventRecordsResult",
            "RunShardedEventsCursor", "RunStatusChangeRecordsFilter", "RunsFilter", "RunRecord",
            "AssetPartitionStatus", "PaginatedResults",
        ],
        _INSTANCE,
    ),
    # definitions and module loading
    **dict.fromkeys(
        [
            "repository", "RepositoryDefinition", "RepositoryData",
            "create_repository_using_definitions_args",
        ],
        "build a Definitions(...) object at module level",
    ),
    **dict.fromkeys(
        [
            "load_asset_checks_from_modules", "load_asset_checks_from_current_module",
            "load_asset_checks_from_package_module", "load_asset_checks_from_package_name",
        ],
        _MODULES,
    ),
    # code references
    **dict.fromkeys(
        [
            "AnchorBasedFilePathMapping", "FilePathMapping", "LocalFileCodeReference",
            "UrlCodeReference", "CodeReferencesMetadataValue", "link_code_references_to_git",
            "with_source_code_references",
        ],
        _CODE_REFS,
    ),
    # typed metadata values
    "TextMetadataValue": _METADATA.format("text"),
    "MarkdownMetadataValue": _METADATA.format("md"),
    "JsonMetadataValue": _METADATA.format("json"),
    "TimestampMetadataValue": _METADATA.format("timestamp"),
    "UrlMetadataValue": _METADATA.format("url"),
    "PathMetadataValue": _METADATA.format("path"),
    "NotebookMetadataValue": _METADATA.format("path"),
    "IntMetadataValue": _METADATA.format("int"),
    "FloatMetadataValue": _METADATA.format("float"),
    "BoolMetadataValue": _METADATA.format("bool"),
    "NullMetadataValue": _METADATA.format("null"),
    "TableMetadataValue": _METADATA.format("table"),
    **dict.fromkeys(
        [
            "TableSchemaMetadataValue", "TableColumnLineageMetadataValue", "TableColumnLineage",
            "TableColumnDep", "TableConstraints", "TableColumnConstraints",
        ],
        _METADATA.format("json"),
    ),
    **dict.fromkeys(
        [
            "DagsterAssetMetadataValue", "DagsterJobMetadataValue", "DagsterRunMetadataValue",
            "PoolMetadataValue", "PythonArtifactMetadataValue",
        ],
        _METADATA.format("text"),
    ),
    "MetadataEntry": "pass metadata as a dict {label: value}",
    # Dagster's exceptions: asset2airflow raises its own
    "DagsterError": _ERROR.format("Asset2AirflowError"),
    **dict.fromkeys(
        [
            "DagsterInvalidDefinitionError", "DagsterInvalidInvocationError",
            "DagsterInvariantViolationError", "DagsterInvalidConfigDefinitionError",
        ],
        _ERROR.format("DefinitionError"),
    ),
    **dict.fromkeys(
        ["DagsterInvalidConfigError", "DagsterConfigMappingFunctionError"],
        _ERROR.format("ConfigError"),
    ),
    "DagsterInvalidSubsetError": _ERROR.format("SelectionError"),
    "DagsterUnknownPartitionError": _ERROR.format("PartitionError"),
    **dict.fromkeys(
        ["DagsterTypeCheckDidNotPass", "DagsterTypeCheckError"], _ERROR.format("TypeCheckError")
    ),
    **dict.fromkeys(
        ["DagsterResourceFunctionError", "DagsterUnknownResourceError"],
        _ERROR.format("ResourceError"),
    ),
    **dict.fromkeys(
        ["DagsterExecutionStepExecutionError", "DagsterUserCodeExecutionError"],
        _ERROR.format("UserCodeError"),
    ),
    **dict.fromkeys(
        [
            "DagsterExecutionStepNotFoundError", "DagsterStepOutputNotFoundError",
            "DagsterSubprocessError", "DagsterUnmetExecutorRequirementsError",
            "DagsterExecutionInterruptedError", "DagsterRunNotFoundError",
            "DagsterEventLogInvalidForRun",
        ],
        _ERROR.format("ExecutionError"),
    ),
}
"""Every refused Dagster name and what to use instead (the end of ``NotSupportedError``'s
message)."""

REFUSED_AT_IMPORT: frozenset[str] = frozenset(
    [
        "custom_path_fs_io_manager", "local_file_manager",
        "in_process_executor", "multiprocess_executor", "multi_or_in_process_executor",
        "colored_console_logger", "json_console_logger", "MAX_RUNTIME_SECONDS_TAG",
    ]
) | frozenset(name for name, instead in REFUSED.items() if instead.startswith("catch "))
"""Names used as values or caught as exceptions, never called: refused when imported."""


REFUSED_KEYWORDS: dict[str, str] = {
    "resource_defs": "bind resources in Definitions(resources=...)",
    "hooks": _HOOKS,
    "io_manager_def": "bind the IO manager in Definitions(resources={key: ...}), then pass "
    "io_manager_key=key",
    "dagster_type": "check the value with an @asset_check",
    "output_required": "return the value (optional asset outputs are not built)",
    "freshness_policy": _FRESHNESS,
    "legacy_freshness_policy": _FRESHNESS,
    "backfill_policy": REFUSED["BackfillPolicy"],
    "auto_materialize_policy": _AUTOMATION,
    "pool": "give the task an Airflow pool with @airflow_task(pool=...) from asset2airflow.migrate",
    "is_virtual": "declare the asset with AssetSpec(key)",
    "allow_arbitrary_check_specs": "declare check_specs on the asset's own keys",
    "non_argument_deps": "use deps= (its new name)",
    "version": "op code versions are not tracked: drop it",
    "input_defs": "declare graph inputs as parameters of the @graph function",
    "output_defs": "declare graph outputs with out={name: Out()}",
}
"""Dagster decorator keywords we do not build, and what to use instead (the same meaning for
every decorator that takes them; a decorator may give its own text for a keyword)."""

_DAGSTER_DEFAULTS: dict[str, object] = {
    "output_required": True,
    "is_virtual": False,
    "can_subset": False,
}
"""Keywords whose Dagster default is not ``None``: passing the default changes nothing."""


def refuse_keywords(
    caller: str, given: Mapping[str, Any], instead: Mapping[str, str] | None = None
) -> None:
    """Raise ``NotSupportedError`` for the first Dagster keyword in ``given`` (a decorator's
    ``**dagster_keywords``) set to something other than its Dagster default; ``TypeError`` for
    a keyword Dagster does not have either, as Python would."""
    texts = {**REFUSED_KEYWORDS, **(instead or {})}
    for keyword, value in given.items():
        if keyword not in texts:
            raise TypeError(f"{caller}() got an unexpected keyword argument {keyword!r}")
        if value is None or value == _DAGSTER_DEFAULTS.get(keyword):
            continue
        raise NotSupportedError(f"{caller}({keyword}=...) is not built yet: {texts[keyword]}.")


def refusal_message(name: str) -> str:
    return (
        f"{name} (Dagster's dagster.{name}) is not supported by asset2airflow: "
        f"{REFUSED[name]}. docs/dagster-api.md says how each Dagster name is handled."
    )


def refuse(name: str) -> NoReturn:
    raise NotSupportedError(refusal_message(name))


class RefusedName:
    """Stands where a refused Dagster name is imported; every use raises ``NotSupportedError``."""

    def __init__(self, name: str) -> None:
        self.__name__ = self.__qualname__ = name
        self.__module__ = "asset2airflow"
        self.__doc__ = refusal_message(name)

    def __call__(self, *_args: Any, **_kwargs: Any) -> NoReturn:
        refuse(self.__name__)

    def __getattr__(self, attribute: str) -> NoReturn:
        if attribute.startswith("__"):  # protocols (copy, pickle, introspection) look these up
            raise AttributeError(attribute)
        refuse(self.__name__)

    def __getitem__(self, _item: Any) -> NoReturn:  # ResourceParam[MyClient]
        refuse(self.__name__)

    def __mro_entries__(self, _bases: tuple[Any, ...]) -> NoReturn:  # class X(InputManager)
        refuse(self.__name__)

    def __instancecheck__(self, _instance: Any) -> NoReturn:
        refuse(self.__name__)

    def __repr__(self) -> str:
        return f"<refused Dagster name {self.__name__}>"


@functools.cache
def refused_name(name: str) -> RefusedName:
    """The stub ``from asset2airflow import <name>`` gets; ``AttributeError`` for a name that is
    neither ours nor refused (as for any module), ``NotSupportedError`` for one refused at
    import."""
    if name not in REFUSED:
        raise AttributeError(f"module 'asset2airflow' has no attribute {name!r}")
    if name in REFUSED_AT_IMPORT:
        refuse(name)
    return RefusedName(name)
