"""Calling an op directly, as in a Dagster unit test: ``my_op(build_op_context(), 1)``.

No IO managers or graph are involved: arguments are the inputs, the return value is what the
function returns (an ``async def`` op is awaited). A context is built when the op takes one and
none is passed; resources come from keyword arguments or the passed context; config from the
passed ``Config``, else ``context.op_config`` (validated against the op's config).
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any

from asset2airflow.authoring.context import (
    AssetExecutionContext,
    OpExecutionContext,
    build_op_context,
)
from asset2airflow.authoring.dagster_types import type_check
from asset2airflow.authoring.invocation import bind_arguments, parameter_names
from asset2airflow.authoring.signature import run_coroutine
from asset2airflow.errors import ConfigError, DefinitionError, TypeCheckError

if TYPE_CHECKING:
    from asset2airflow.authoring.ops import OpDefinition


def _context_of(op_def: OpDefinition, positional: list[Any], kwargs: dict[str, Any]) -> Any:
    compute = op_def.compute
    if compute.context_param is not None:
        if compute.context_param in kwargs:
            return kwargs.pop(compute.context_param)
        if positional and isinstance(positional[0], AssetExecutionContext):
            return positional.pop(0)
        return build_op_context()
    if positional and isinstance(positional[0], AssetExecutionContext):
        raise DefinitionError(
            f"op {op_def.name!r} takes no context parameter, but a context was passed; add a "
            "first parameter `context` or drop the argument."
        )
    return None


def op_config_value(op_def: OpDefinition, given: Any, owner: str) -> Any:
    """The validated config instance for ``op_def`` from ``given`` (a dict, a ``Config`` or
    ``None``); ``None`` when the op takes no config."""
    from pydantic import ValidationError

    config_type = op_def.config_type
    if config_type is None:
        if given:
            raise ConfigError(f"{owner} takes no config, but config {given!r} was given")
        return None
    if isinstance(given, config_type):
        return given
    try:
        return config_type.model_validate(dict(given or {}))
    except (ValidationError, TypeError, ValueError) as exc:
        raise ConfigError(f"config for {owner} is invalid: {exc}") from exc


def invoke_op_directly(op_def: OpDefinition, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    compute = op_def.compute
    what = f"op {op_def.name!r}"
    positional = list(args)
    kwargs = dict(kwargs)
    context = _context_of(op_def, positional, kwargs)
    resources = context.resources.original_dict() if context is not None else {}
    values = bind_arguments(compute, what, positional, kwargs)
    for name in compute.input_params:
        declared = op_def.ins[name]
        if name not in values and declared.has_default:
            values[name] = declared.default_value
    for resource_key in compute.resource_params:
        if resource_key not in values and resource_key in resources:
            values[resource_key] = resources[resource_key]
    op_config = getattr(context, "op_config", None)
    if compute.config_param is not None and compute.config_param not in values:
        values[compute.config_param] = op_config_value(op_def, op_config, what)
    missing = sorted(set(parameter_names(compute)) - set(values))
    if missing:
        raise DefinitionError(f"{what} is missing arguments {missing}")
    for name in compute.input_params:
        dagster_type = op_def.ins[name].dagster_type
        if not type_check(dagster_type, values[name]):
            raise TypeCheckError(
                f"{what}: input {name!r} got a {type(values[name]).__name__}, but it is declared "
                f"In({getattr(dagster_type, '__name__', dagster_type)})"
            )
    if context is not None:
        if op_def.config_schema_given:
            config = op_config_value(op_def, op_config, what)
            context.op_config = config.model_dump() if config is not None else None
        if isinstance(context, OpExecutionContext):
            context.bind_op(op_def)
        values[compute.context_param or "context"] = context
    result = compute.fn(**values)
    return run_coroutine(result) if inspect.iscoroutine(result) else result
