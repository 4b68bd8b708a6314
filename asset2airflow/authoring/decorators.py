"""``@asset`` and ``@multi_asset``, with Dagster's names, arguments and inference rules."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, overload

from asset2airflow.authoring.assets import (
    AssetInput,
    AssetsDefinition,
    common_partitions_def,
    resource_keys_needed,
)
from asset2airflow.authoring.keys import (
    AssetKey,
    CoercibleToAssetKey,
    CoercibleToAssetKeyPrefix,
    coerce_key_prefix,
)
from asset2airflow.authoring.names import check_name
from asset2airflow.authoring.op_config import config_model
from asset2airflow.authoring.partitions import PartitionsDefinition
from asset2airflow.authoring.policy import AutomationCondition, RetryPolicy
from asset2airflow.authoring.refused import refuse_keywords
from asset2airflow.authoring.signature import ComputeSignature, read_signature
from asset2airflow.authoring.specs import (
    DEFAULT_GROUP,
    DEFAULT_IO_MANAGER_KEY,
    AssetCheckSpec,
    AssetDep,
    AssetIn,
    AssetOut,
    AssetSpec,
    CoercibleToAssetDep,
    coerce_deps,
)
from asset2airflow.errors import DefinitionError

AssetFn = Callable[..., Any]


def _bind_inputs(
    compute: ComputeSignature,
    ins: Mapping[str, AssetIn] | None,
    key_prefix: Sequence[str],
    what: str,
) -> tuple[AssetInput, ...]:
    """Map each input parameter to an upstream key: ``ins[name]`` or ``key_prefix + [name]``."""
    ins = dict(ins or {})
    unknown = sorted(set(ins) - set(compute.input_params))
    if unknown:
        raise DefinitionError(
            f"{what} ({compute.location}): ins names {unknown}, which are not parameters of the "
            f"function (its input parameters are {list(compute.input_params)}); rename the "
            "parameter or the ins entry so they match."
        )
    bound = []
    for name in compute.input_params:
        asset_in = ins.get(name, AssetIn())
        bound.append(AssetInput(name, asset_in.resolve_key(name, key_prefix), asset_in))
    return tuple(bound)


def _doc(fn: AssetFn) -> str | None:
    import inspect

    doc = inspect.getdoc(fn)
    return doc or None


@overload
def asset(compute_fn: AssetFn) -> AssetsDefinition: ...


@overload
def asset(
    compute_fn: None = None,
    *,
    name: str | None = ...,
    key_prefix: CoercibleToAssetKeyPrefix = ...,
    key: CoercibleToAssetKey | None = ...,
    ins: Mapping[str, AssetIn] | None = ...,
    deps: Iterable[CoercibleToAssetDep] | None = ...,
    metadata: Mapping[str, Any] | None = ...,
    description: str | None = ...,
    group_name: str | None = ...,
    io_manager_key: str | None = ...,
    required_resource_keys: Iterable[str] | None = ...,
    code_version: str | None = ...,
    owners: Sequence[str] | None = ...,
    tags: Mapping[str, str] | None = ...,
    kinds: Iterable[str] | None = ...,
    retry_policy: RetryPolicy | None = ...,
    check_specs: Sequence[AssetCheckSpec] | None = ...,
    partitions_def: PartitionsDefinition | None = ...,
    automation_condition: AutomationCondition | None = ...,
    op_tags: Mapping[str, Any] | None = ...,
    non_argument_deps: Iterable[CoercibleToAssetDep] | None = ...,
    compute_kind: str | None = ...,
    config_schema: Mapping[str, Any] | None = ...,
    **dagster_keywords: Any,
) -> Callable[[AssetFn], AssetsDefinition]: ...


def asset(
    compute_fn: AssetFn | None = None,
    *,
    name: str | None = None,
    key_prefix: CoercibleToAssetKeyPrefix = None,
    key: CoercibleToAssetKey | None = None,
    ins: Mapping[str, AssetIn] | None = None,
    deps: Iterable[CoercibleToAssetDep] | None = None,
    metadata: Mapping[str, Any] | None = None,
    description: str | None = None,
    group_name: str | None = None,
    io_manager_key: str | None = None,
    required_resource_keys: Iterable[str] | None = None,
    code_version: str | None = None,
    owners: Sequence[str] | None = None,
    tags: Mapping[str, str] | None = None,
    kinds: Iterable[str] | None = None,
    retry_policy: RetryPolicy | None = None,
    check_specs: Sequence[AssetCheckSpec] | None = None,
    partitions_def: PartitionsDefinition | None = None,
    automation_condition: AutomationCondition | None = None,
    op_tags: Mapping[str, Any] | None = None,
    non_argument_deps: Iterable[CoercibleToAssetDep] | None = None,
    compute_kind: str | None = None,
    config_schema: Mapping[str, Any] | None = None,
    **dagster_keywords: Any,
) -> AssetsDefinition | Callable[[AssetFn], AssetsDefinition]:
    """Declare a software-defined asset whose value is what the function returns.

    The key is ``key`` or ``key_prefix + [name or function name]``. Parameters named after
    upstream assets receive their values (keys inferred with the same ``key_prefix``, or given
    via ``ins``); ``deps`` adds upstreams whose values are not passed in (``non_argument_deps``
    is its old spelling). ``async def`` functions are awaited. ``compute_kind`` (Dagster's older
    spelling of one kind) becomes ``kinds``; ``config_schema`` declares config read through
    ``context.op_config``, as an op's does. Dagster's other keywords are refused by name
    (``refused.REFUSED_KEYWORDS``).
    """
    refuse_keywords("asset", dagster_keywords)
    if non_argument_deps is not None:
        if deps is not None:
            raise DefinitionError("asset: pass deps or non_argument_deps (its old name), not both")
        deps = non_argument_deps
    _refuse_op_tags(op_tags, "asset")
    kinds = _kinds_with_compute_kind(kinds, compute_kind, "asset")
    if compute_fn is not None:
        _check_decorated("asset", compute_fn)

    def decorate(fn: AssetFn) -> AssetsDefinition:
        _check_decorated("asset", fn)
        node_name = check_name(fn.__name__ if name is None else name, "asset")
        if key is not None and key_prefix is not None:
            raise DefinitionError(f"asset {node_name!r}: pass key or key_prefix, not both")
        asset_key = (
            AssetKey.from_coercible(key)
            if key is not None
            else AssetKey([*coerce_key_prefix(key_prefix), node_name])
        )
        what = f"asset {asset_key.to_user_string()!r}"
        compute = _with_config_schema(read_signature(fn, what), config_schema, node_name, what)
        inputs = _bind_inputs(compute, ins, asset_key.path[:-1], what)
        spec = AssetSpec(
            asset_key,
            deps=_deps(deps, what, compute.location),
            description=description or _doc(fn),
            metadata=metadata,
            group_name=group_name or DEFAULT_GROUP,
            code_version=code_version,
            owners=owners,
            tags=tags,
            kinds=kinds,
            partitions_def=partitions_def,
            automation_condition=automation_condition,
        )
        io_keys = {"result": io_manager_key or DEFAULT_IO_MANAGER_KEY}
        checks = tuple(check_specs or ())
        _check_own_check_specs(checks, [asset_key], what, compute.location)
        return AssetsDefinition(
            node_name=asset_key.to_python_identifier(),
            specs_by_output={"result": spec},
            io_manager_keys=io_keys,
            inputs=inputs,
            check_specs=checks,
            compute=compute,
            required_resource_keys=resource_keys_needed(
                compute, list(required_resource_keys or ()), io_keys, inputs
            ),
            retry_policy=retry_policy,
            location=compute.location,
        )

    return decorate(compute_fn) if compute_fn is not None else decorate


def multi_asset(
    *,
    outs: Mapping[str, AssetOut] | None = None,
    specs: Sequence[AssetSpec] | None = None,
    name: str | None = None,
    ins: Mapping[str, AssetIn] | None = None,
    deps: Iterable[CoercibleToAssetDep] | None = None,
    description: str | None = None,
    group_name: str | None = None,
    required_resource_keys: Iterable[str] | None = None,
    can_subset: bool = False,
    retry_policy: RetryPolicy | None = None,
    check_specs: Sequence[AssetCheckSpec] | None = None,
    partitions_def: PartitionsDefinition | None = None,
    op_tags: Mapping[str, Any] | None = None,
    internal_asset_deps: Mapping[str, Iterable[CoercibleToAssetKey]] | None = None,
    compute_kind: str | None = None,
    config_schema: Mapping[str, Any] | None = None,
    code_version: str | None = None,
    **dagster_keywords: Any,
) -> Callable[[AssetFn], AssetsDefinition]:
    """Declare one function producing several assets, via ``outs`` or ``specs`` (not both).

    Return a tuple in ``outs`` order, or yield ``Output(value, output_name=...)`` /
    ``MaterializeResult(asset_key=...)`` per asset. With ``can_subset=True`` only the selected
    assets (``context.selected_asset_keys``) need to be produced. ``internal_asset_deps`` maps
    an output name to the only keys (inputs, deps or sibling outputs) that output depends on.
    ``compute_kind`` becomes a kind of every asset without kinds of its own; ``config_schema``
    declares config read through ``context.op_config``; ``code_version`` is every asset's that
    has none of its own. Dagster's other keywords are refused by name.
    """
    refuse_keywords("multi_asset", dagster_keywords)
    if (outs is None) == (specs is None):
        raise DefinitionError("multi_asset needs exactly one of outs= or specs=")
    _refuse_op_tags(op_tags, "multi_asset")
    shared_kinds = _kinds_with_compute_kind(None, compute_kind, "multi_asset")

    def decorate(fn: AssetFn) -> AssetsDefinition:
        _check_decorated("multi_asset", fn)
        node_name = check_name(fn.__name__ if name is None else name, "multi_asset")
        what = f"multi_asset {node_name!r}"
        compute = _with_config_schema(read_signature(fn, what), config_schema, node_name, what)
        inputs = _bind_inputs(compute, ins, (), what)
        shared_deps = _deps(deps, what, compute.location)
        defaults = {
            "group_name": group_name or DEFAULT_GROUP,
            "partitions_def": partitions_def,
            "description": description,
            "kinds": shared_kinds,
            "code_version": code_version,
        }
        specs_by_output: dict[str, AssetSpec] = {}
        io_keys: dict[str, str] = {}
        if outs is not None:
            for out_name, out in outs.items():
                check_name(out_name, "output", what)
                spec = out.to_spec(out_name, shared_deps).with_defaults(**defaults)
                specs_by_output[out_name] = spec
                io_keys[out_name] = out.io_manager_key or DEFAULT_IO_MANAGER_KEY
        else:
            for given in specs or ():
                out_name = given.key.to_python_identifier()
                merged = given.replace_attributes(deps=(*given.deps, *shared_deps))
                specs_by_output[out_name] = merged.with_defaults(**defaults)
                io_keys[out_name] = DEFAULT_IO_MANAGER_KEY
        if not specs_by_output:
            raise DefinitionError(f"{what} ({compute.location}) declares no outputs")
        common_partitions_def(specs_by_output.values(), what, compute.location)
        checks = tuple(check_specs or ())
        _check_own_check_specs(
            checks, [s.key for s in specs_by_output.values()], what, compute.location
        )
        return AssetsDefinition(
            node_name=node_name,
            specs_by_output=specs_by_output,
            io_manager_keys=io_keys,
            inputs=inputs,
            check_specs=checks,
            compute=compute,
            required_resource_keys=resource_keys_needed(
                compute, list(required_resource_keys or ()), io_keys, inputs
            ),
            retry_policy=retry_policy,
            can_subset=can_subset,
            location=compute.location,
            internal_asset_deps=_internal_deps(
                internal_asset_deps, specs_by_output, inputs, shared_deps, what, compute.location
            ),
        )

    return decorate


def _check_own_check_specs(
    checks: Sequence[AssetCheckSpec], keys: Sequence[AssetKey], what: str, where: str
) -> None:
    for spec in checks:
        if spec.asset_key not in keys:
            raise DefinitionError(
                f"{what} ({where}) declares check {spec.name!r} on "
                f"{spec.asset_key.to_user_string()!r}, which it does not produce; in-asset "
                "checks must target one of the asset's own keys (use @asset_check otherwise)."
            )


def _kinds_with_compute_kind(
    kinds: Iterable[str] | None, compute_kind: str | None, decorator: str
) -> Iterable[str] | None:
    """Dagster's ``compute_kind`` is the older spelling of one kind (its UI shows both as kind
    badges; here kinds become DAG tags). Both at once is Dagster's error too."""
    if compute_kind is None:
        return kinds
    if not isinstance(compute_kind, str):
        raise DefinitionError(f"{decorator}(compute_kind={compute_kind!r}) must be a string")
    if kinds:
        raise DefinitionError(
            f"{decorator}: pass compute_kind= or kinds=, not both (compute_kind is the older "
            f"spelling of one kind: write kinds={{{compute_kind!r}, ...}})."
        )
    return [compute_kind]


def _with_config_schema(
    compute: ComputeSignature, config_schema: Mapping[str, Any] | None, node_name: str, what: str
) -> ComputeSignature:
    """An asset's ``config_schema`` is read as an op's (``op_config.config_model``): run config
    is validated before the run and becomes typed Airflow params; the asset reads it through
    ``context.op_config`` (a dict), since no parameter receives it."""
    if config_schema is None:
        return compute
    if compute.config_type is not None:
        raise DefinitionError(
            f"{what} ({compute.location}) has both config_schema= and a Config parameter "
            f"{compute.config_param!r}; keep one."
        )
    config_type = config_model(config_schema, f"{node_name}_config", what)
    return dataclasses.replace(compute, config_type=config_type)


def _refuse_op_tags(op_tags: Mapping[str, Any] | None, decorator: str) -> None:
    """Dagster's op_tags configure its executors (concurrency keys, Kubernetes); nothing maps
    them to Airflow yet, so refuse them rather than ignore them."""
    if op_tags:
        raise DefinitionError(
            f"{decorator}(op_tags={dict(op_tags)!r}) is not built yet: op tags have no Airflow "
            "translation so far. Use tags= (DAG tags), owners= or retry_policy= instead."
        )


def _check_decorated(decorator: str, value: object) -> None:
    """``@asset`` must decorate a (sync or async) function: ``asset("name")`` or ``asset(42)``
    is a mistake worth a precise message."""
    import inspect

    if isinstance(value, str):
        raise DefinitionError(
            f"{decorator}({value!r}) was called with a positional string; to name the asset "
            f"write @{decorator}(name={value!r}) above the function."
        )
    if not callable(value) or isinstance(value, type):
        raise DefinitionError(
            f"@{decorator} decorates a function, but was given {value!r} "
            f"({type(value).__name__}); write @{decorator} (or @{decorator}(...)) directly above "
            "a `def`."
        )
    if inspect.isasyncgenfunction(value):
        raise DefinitionError(
            f"@{decorator} cannot decorate the async generator {getattr(value, '__name__', value)}"
            "; return a value (async def is fine) or yield from a plain generator."
        )


def _deps(values: Any, what: str, where: str) -> tuple[AssetDep, ...]:
    """``deps=`` as AssetDeps; a bad item is an error naming the asset."""
    try:
        return coerce_deps(values)
    except TypeError as exc:
        raise DefinitionError(f"{what} ({where}): deps has a bad item: {exc}") from None


def _internal_deps(
    given: Mapping[str, Iterable[CoercibleToAssetKey]] | None,
    specs_by_output: Mapping[str, AssetSpec],
    inputs: Sequence[AssetInput],
    shared_deps: Sequence[AssetDep],
    what: str,
    where: str,
) -> dict[str, tuple[AssetKey, ...]]:
    if not given:
        return {}
    known = {i.key for i in inputs} | {d.asset for d in shared_deps}
    known |= {d.asset for s in specs_by_output.values() for d in s.deps}
    known |= {s.key for s in specs_by_output.values()}
    result: dict[str, tuple[AssetKey, ...]] = {}
    for output, keys in given.items():
        if output not in specs_by_output:
            raise DefinitionError(
                f"{what} ({where}): internal_asset_deps names output {output!r}, which it does "
                f"not have; its outputs are {sorted(specs_by_output)}."
            )
        coerced = tuple(sorted({AssetKey.from_coercible(k) for k in keys}))  # stable order
        unknown = sorted(k.to_user_string() for k in coerced if k not in known)
        if unknown:
            raise DefinitionError(
                f"{what} ({where}): internal_asset_deps[{output!r}] names {unknown}, which are "
                "neither its inputs, its deps nor its own outputs; add them to ins/deps."
            )
        if specs_by_output[output].key in coerced:
            raise DefinitionError(
                f"{what} ({where}): output {output!r} cannot depend on itself in "
                "internal_asset_deps."
            )
        result[output] = coerced
    return result
