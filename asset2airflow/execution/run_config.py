"""Validating run config (``{"ops": {node: {"config": {...}}}, "resources": {...}}``) against
the definitions it is meant for, and building each node's typed ``Config``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from asset2airflow.authoring.config import Config
from asset2airflow.authoring.op_config import graph_config_field
from asset2airflow.authoring.signature import ComputeSignature
from asset2airflow.errors import ConfigError

_TOP_LEVEL = ("ops", "resources", "execution", "loggers")


def _field_errors(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors():
        field = ".".join(str(p) for p in error["loc"]) or "(config)"
        parts.append(f"field {field!r}: {error['msg']} (got {error.get('input')!r})")
    return "; ".join(parts)


def build_config(
    compute: ComputeSignature, values: Mapping[str, Any] | Config | None, owner: str
) -> Config | None:
    """The ``Config`` instance for one node; raises naming ``owner`` and each bad field."""
    return build_config_of_type(compute.config_type, values, owner)


def build_config_of_type(
    config_type: type[Config] | None, values: Mapping[str, Any] | Config | None, owner: str
) -> Config | None:
    """``build_config`` for a ``Config`` class (an op's typed config or ``config_schema``)."""
    if config_type is None:
        if values:
            raise ConfigError(
                f"run config gives config to {owner}, which takes none; add a parameter "
                "`config: MyConfig` to the function (or config_schema= to an op) or remove the "
                "config."
            )
        return None
    if isinstance(values, config_type):
        return values
    if isinstance(values, Config):
        values = values.model_dump()
    if values is not None and not isinstance(values, Mapping):
        raise ConfigError(
            f"run config for {owner} must be a dict of its fields, got {values!r}"
        )
    try:
        return config_type.model_validate(dict(values or {}))
    except ValidationError as exc:
        raise ConfigError(f"run config for {owner} is invalid: {_field_errors(exc)}") from exc


def flatten_ops_config(ops: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Dagster's nested run config for graphs (``{"outer": {"ops": {"inner": {"config":
    ...}}}}``) as flat node paths (``{"outer.inner": {"config": ...}}``)."""
    flat: dict[str, Any] = {}
    for name, entry in ops.items():
        if isinstance(entry, Mapping) and set(entry) == {"ops"}:
            flat.update(flatten_ops_config(dict(entry["ops"] or {}), f"{prefix}{name}."))
        else:
            flat[f"{prefix}{name}"] = entry
    return flat


class ParsedRunConfig:
    """Run config checked against the node names of the definitions being run."""

    def __init__(self, run_config: Mapping[str, Any], node_names: Sequence[str]) -> None:
        unknown_sections = sorted(set(run_config) - set(_TOP_LEVEL))
        if unknown_sections:
            raise ConfigError(
                f"run config has unknown sections {unknown_sections}; use 'ops' for asset config "
                "and 'resources' for resource config"
            )
        ops = dict(run_config.get("ops") or {})
        unknown = sorted(set(ops) - set(node_names))
        if unknown:
            raise ConfigError(
                f"run config names {unknown} under 'ops', which are not assets of this run; "
                f"config can be given to: {sorted(node_names)}"
            )
        self.node_config: dict[str, Any] = {}
        for name, entry in ops.items():
            if isinstance(entry, Config):
                self.node_config[name] = entry
            elif isinstance(entry, Mapping) and set(entry) <= {"config"}:
                self.node_config[name] = entry.get("config")
            elif isinstance(entry, Mapping) and set(entry) == {"ops"}:
                # A graph asset's inner ops, in Dagster's nested shape: their configs are the
                # fields of the graph asset's config (``graph_config_field``).
                self.node_config[name] = {
                    graph_config_field(inner): value.get("config")
                    for inner, value in flatten_ops_config(dict(entry["ops"] or {})).items()
                    if isinstance(value, Mapping)
                }
            else:
                raise ConfigError(
                    f"run config for {name!r} must look like {{'config': {{...}}}}, got {entry!r}"
                )
        self.resource_config: dict[str, Any] = dict(run_config.get("resources") or {})

    def config_for(self, compute: ComputeSignature, node_name: str, owner: str) -> Config | None:
        return build_config(compute, self.node_config.get(node_name), owner)
