"""Calling an asset or check directly, as in a Dagster unit test: ``cleaned_sales(df)``.

No IO managers are involved: arguments are the upstream values, the return value is what the
function returns. A context is built when the function takes one and none is passed; resources
come from keyword arguments or from the passed context.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from asset2airflow.authoring.context import AssetExecutionContext, build_asset_context
from asset2airflow.errors import DefinitionError

if TYPE_CHECKING:
    from asset2airflow.authoring.assets import AssetsDefinition
    from asset2airflow.authoring.checks import AssetChecksDefinition
    from asset2airflow.authoring.signature import ComputeSignature


def invoke_directly(
    definition: AssetsDefinition | AssetChecksDefinition,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> Any:
    compute = definition.compute
    if compute is None:
        raise DefinitionError(f"{definition!r} is an external asset and cannot be called")
    what = repr(definition)
    positional = list(args)
    context: AssetExecutionContext | None = None
    if compute.context_param is not None:
        if compute.context_param in kwargs:
            context = kwargs.pop(compute.context_param)
        elif positional and isinstance(positional[0], AssetExecutionContext):
            context = positional.pop(0)
        else:
            context = build_asset_context()
    elif positional and isinstance(positional[0], AssetExecutionContext):
        raise DefinitionError(f"{what} takes no context parameter, but a context was passed")
    resources = context.resources.original_dict() if context is not None else {}
    values = bind_arguments(compute, what, positional, kwargs)
    for resource_key in compute.resource_params:
        if resource_key not in values and resource_key in resources:
            values[resource_key] = resources[resource_key]
    if compute.config_param is not None and compute.config_param not in values:
        assert compute.config_type is not None
        values[compute.config_param] = compute.config_type()
    missing = sorted(set(parameter_names(compute)) - set(values))
    if missing:
        raise DefinitionError(f"{what} is missing arguments {missing}")
    if context is not None:
        values[compute.context_param or "context"] = _bind_context(context, definition)
    return compute.fn(**values)


def _bind_context(
    context: AssetExecutionContext, definition: AssetsDefinition | AssetChecksDefinition
) -> AssetExecutionContext:
    """The caller's context, told which definition it now runs (so ``asset_key`` works)."""
    specs = getattr(definition, "specs_by_output", None)
    output_keys = {name: spec.key for name, spec in specs.items()} if specs else {}
    context.bind_to(definition.node_name, output_keys, getattr(definition, "partitions_def", None))
    return context


def bind_arguments(
    compute: ComputeSignature, what: str, positional: list[Any], kwargs: dict[str, Any]
) -> dict[str, Any]:
    """The arguments of a direct call by parameter name; raises naming ``what`` for too many,
    doubled or unknown ones."""
    names = parameter_names(compute)
    if len(positional) > len(names):
        raise DefinitionError(f"{what} takes {len(names)} arguments, {len(positional)} were passed")
    values = dict(zip(names, positional, strict=False))
    duplicated = sorted(set(values) & set(kwargs))
    if duplicated:
        raise DefinitionError(f"{what} got {duplicated} both positionally and by name")
    values.update(kwargs)
    unknown = sorted(set(values) - set(names))
    if unknown:
        raise DefinitionError(f"{what} has no parameters {unknown}; it takes {names}")
    return values


def parameter_names(compute: ComputeSignature) -> list[str]:
    """Inputs, then config, then resources: the order Dagster binds positional arguments in."""
    names = [*compute.input_params]
    if compute.config_param is not None:
        names.append(compute.config_param)
    names.extend(compute.resource_params)
    return names
