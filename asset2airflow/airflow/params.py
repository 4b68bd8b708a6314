"""DAG params from asset ``Config`` classes, so Airflow's trigger form has typed fields, and
the way back: a run's params as run config and an asset selection. No Airflow imports.

Each config field becomes the param ``<node>__<field>`` in a form section named after the asset;
the ``assets`` param (a multi-select of the DAG's asset keys) runs only the chosen assets.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from asset2airflow.airflow.partitions import PartitionPlan, RuntimePartitions
from asset2airflow.authoring.config import Config
from asset2airflow.authoring.jobs import AssetJobDefinition
from asset2airflow.errors import ConfigError
from asset2airflow.execution.plan import ExecutionStep

ASSETS_PARAM = "assets"
PARTITION_KEY_PARAM = "partition_key"
RUN_TAGS_CONF = "asset2airflow_tags"
"""Trigger conf key of a schedule's/sensor's run request tags (``context.run.tags``)."""
# Airflow deep-copies DAG params into every task, which dominates parse time for very large
# DAGs. The selection param (a multi-select in the trigger form) is declared for DAGs up to this
# size; larger DAGs accept the same "assets" list in the trigger conf JSON.
MAX_SELECTABLE_ASSETS = 100
_NO_DEFAULT: Any = None
_SCHEMA_KEYS = (
    "type",
    "enum",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "pattern",
    "format",
    "items",
    "anyOf",
    "minItems",
    "maxItems",
    "uniqueItems",
    "const",
    "multipleOf",
)


@dataclass(frozen=True)
class ParamPlan:
    """One Airflow ``Param``: ``schema`` holds JSON-schema keywords (``type``, ``enum``...)."""

    name: str
    title: str
    section: str
    schema: dict[str, Any] = field(default_factory=dict)
    description: str | None = None
    has_default: bool = True
    default: Any = None
    node_name: str | None = None
    field_name: str | None = None
    from_partition: bool = False
    """Empty (``None``) means "the value of the run's partition config" (``job_config``)."""


def param_name(node_name: str, field_name: str) -> str:
    return f"{node_name}__{field_name}"


def _field_schema(prop: Mapping[str, Any]) -> dict[str, Any]:
    if "$ref" in prop or "allOf" in prop:
        return {"type": "object"}
    schema = {k: prop[k] for k in _SCHEMA_KEYS if k in prop}
    if "anyOf" in schema and any("$ref" in option for option in schema["anyOf"]):
        return {"type": ["object", "null"]}
    return schema


def config_params(node_name: str, config_type: type[Config]) -> list[ParamPlan]:
    """A param per field of ``config_type``, typed from its JSON schema."""
    schema = config_type.model_json_schema()
    required = set(schema.get("required", ()))
    params = []
    for field_name, prop in schema.get("properties", {}).items():
        has_default = field_name not in required
        params.append(
            ParamPlan(
                name=param_name(node_name, field_name),
                title=str(prop.get("title", field_name)),
                section=f"{node_name} config",
                schema=_field_schema(prop),
                description=prop.get("description"),
                has_default=has_default,
                default=prop.get("default") if has_default else _NO_DEFAULT,
                node_name=node_name,
                field_name=field_name,
            )
        )
    return params


def params_for_dag(
    steps: Sequence[ExecutionStep],
    asset_keys: Sequence[str],
    partitions: PartitionPlan | None = None,
    job: AssetJobDefinition | None = None,
) -> tuple[ParamPlan, ...]:
    """The params of an asset DAG: ``partition_key`` (partitioned at run time), the asset
    selection, and the config fields of its assets (defaults from ``job``'s config)."""
    params: list[ParamPlan] = []
    if isinstance(partitions, RuntimePartitions):
        params.append(partition_key_param(partitions))
    if 1 < len(asset_keys) <= MAX_SELECTABLE_ASSETS:
        params.append(
            ParamPlan(
                name=ASSETS_PARAM,
                title="Assets to materialize",
                section="Selection",
                # Airflow's trigger form shows a multi-select for an array with top-level
                # "examples"; "items.enum" makes Airflow reject unknown keys; null = cleared.
                schema={
                    "type": ["array", "null"],
                    "examples": list(asset_keys),
                    "items": {"type": "string", "enum": list(asset_keys)},
                    "uniqueItems": True,
                },
                description="Optional. Leave empty to materialize every asset of this DAG; "
                "otherwise only the chosen assets run, the others are skipped and downstream "
                "assets read their stored values.",
                default=None,
            )
        )
    for step in steps:
        assets_def = step.assets_def
        if assets_def is not None and assets_def.compute and assets_def.compute.config_type:
            params.extend(config_params(assets_def.node_name, assets_def.compute.config_type))
    if job is None:
        return tuple(params)
    ops = dict(job.config.get("ops") or {})
    return with_job_config(params, ops, job.partitioned_config is not None)


def with_job_config(
    params: Sequence[ParamPlan], ops_config: Mapping[str, Any], partitioned: bool
) -> tuple[ParamPlan, ...]:
    """The params of a job's DAG: the job's ``config`` (``{node: {"config": {...}}}``) gives
    the defaults of its config params; with a ``PartitionedConfig`` (``partitioned``) every
    config param is nullable and empty instead, filled from the run's partition in the task."""
    result = []
    for param in params:
        if param.node_name is None or param.field_name is None:
            result.append(param)
        elif partitioned:
            result.append(_from_partition(param))
        else:
            given = dict((ops_config.get(param.node_name) or {}).get("config") or {})
            if param.field_name in given:
                param = replace(param, default=given[param.field_name], has_default=True)
            result.append(param)
    return tuple(result)


def _from_partition(param: ParamPlan) -> ParamPlan:
    schema = dict(param.schema)
    kind = schema.get("type")
    if isinstance(kind, str) and kind != "null":
        schema["type"] = [kind, "null"]
    elif isinstance(kind, list) and "null" not in kind:
        schema["type"] = [*kind, "null"]
    if "enum" in schema and None not in schema["enum"]:
        schema["enum"] = [*schema["enum"], None]
    if "anyOf" in schema and {"type": "null"} not in schema["anyOf"]:
        schema["anyOf"] = [*schema["anyOf"], {"type": "null"}]
    note = "Empty: the value of the run's partition config."
    return replace(
        param,
        schema=schema,
        has_default=True,
        default=None,
        from_partition=True,
        description=f"{param.description} {note}" if param.description else note,
    )


def partition_key_param(partitions: RuntimePartitions) -> ParamPlan:
    """The trigger form's partition choice for a DAG whose runs are started with a key (a
    dropdown when the keys are few). Airflow's own "Partition Key" field works as well."""
    schema: dict[str, Any] = {"type": ["string", "null"]}
    if partitions.enum_keys:
        schema["enum"] = [*partitions.enum_keys, None]
    return ParamPlan(
        name=PARTITION_KEY_PARAM,
        title="Partition",
        section="Partition",
        schema=schema,
        description="The partition to materialize (or use the Partition Key field above).",
        default=None,
    )


def run_config_from_params(params: Mapping[str, Any], plans: Sequence[ParamPlan]) -> dict[str, Any]:
    """``{"ops": {node: {"config": {...}}}}`` from a DAG run's params."""
    ops: dict[str, Any] = {}
    for plan in plans:
        if plan.node_name is None or plan.field_name is None:
            continue
        config = ops.setdefault(plan.node_name, {"config": {}})["config"]
        if plan.name in params and params[plan.name] is not None:
            config[plan.field_name] = params[plan.name]
        elif plan.has_default and not (plan.from_partition and plan.default is None):
            config[plan.field_name] = plan.default
    return {"ops": ops}


def selected_keys(params: Mapping[str, Any], dag_keys: Sequence[str]) -> set[str]:
    """The asset keys a run should materialize (all when the param is absent)."""
    chosen = params.get(ASSETS_PARAM)
    if not chosen:
        return set(dag_keys)
    if isinstance(chosen, str):
        chosen = [chosen]
    unknown = sorted(set(chosen) - set(dag_keys))
    if unknown:
        raise ConfigError(
            f"param 'assets' names {unknown}, which are not assets of this DAG; choose from "
            f"{list(dag_keys)}"
        )
    return set(chosen)
