"""``@op`` and its value objects ``In``, ``Out`` and ``DynamicOut``, with Dagster's
names and arguments (the ``Nothing`` marker is in ``dagster_types``).

An op is a function composed into graphs (``@graph``, ``@job``): called inside a composition
function it records a node and returns handles to its outputs; called anywhere else it runs,
like an asset called in a unit test (``my_op(build_op_context(), 1)``).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, overload

from asset2airflow.authoring.config import Config
from asset2airflow.authoring.dagster_types import Nothing, is_nothing, type_name
from asset2airflow.authoring.metadata import MetadataValue, normalize_metadata
from asset2airflow.authoring.names import check_name
from asset2airflow.authoring.op_config import config_model
from asset2airflow.authoring.policy import RetryPolicy
from asset2airflow.authoring.refused import REFUSED_KEYWORDS, refuse_keywords
from asset2airflow.authoring.signature import ComputeSignature, read_signature
from asset2airflow.authoring.specs import DEFAULT_IO_MANAGER_KEY
from asset2airflow.errors import DefinitionError

OpFn = Callable[..., Any]
NO_DEFAULT: Any = type("NoDefault", (), {"__repr__": lambda self: "NO_DEFAULT"})()


class In:
    """An op input: ``dagster_type`` (checked when the value is loaded; ``Nothing`` for an
    ordering-only input), ``default_value`` (used when nothing is connected), ``description``
    and ``metadata`` (given to the IO manager's ``InputContext``)."""

    def __init__(
        self,
        dagster_type: Any = None,
        description: str | None = None,
        default_value: Any = NO_DEFAULT,
        metadata: Mapping[str, Any] | None = None,
        asset_key: Any = None,
        asset_partitions: Any = None,
        input_manager_key: str | None = None,
    ) -> None:
        for name, value in (
            ("asset_key", asset_key),
            ("asset_partitions", asset_partitions),
            ("input_manager_key", input_manager_key),
        ):
            if value is not None:
                raise DefinitionError(
                    f"In({name}=...) is not built yet: op inputs are loaded by the IO manager of "
                    "the output they are connected to. Load assets in an @asset instead."
                )
        if is_nothing(dagster_type) and default_value is not NO_DEFAULT:
            raise DefinitionError("In(Nothing) carries no value, so it takes no default_value")
        self.dagster_type = dagster_type
        self.description = description
        self.default_value = default_value
        self.metadata: dict[str, MetadataValue] = normalize_metadata(metadata)

    @property
    def has_default(self) -> bool:
        return self.default_value is not NO_DEFAULT

    @property
    def is_nothing(self) -> bool:
        return is_nothing(self.dagster_type)

    def __repr__(self) -> str:
        return f"In({type_name(self.dagster_type)})"


class Out:
    """An op output: ``dagster_type`` (checked when the op returns), ``io_manager_key`` (the
    IO manager storing it; default ``io_manager``), ``is_required`` (``False``: the op may not
    produce it, and whatever consumes it is skipped), ``description`` and ``metadata``."""

    is_dynamic = False

    def __init__(
        self,
        dagster_type: Any = None,
        description: str | None = None,
        is_required: bool = True,
        io_manager_key: str | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> None:
        self.dagster_type = dagster_type
        self.description = description
        self.is_required = bool(is_required)
        self.io_manager_key = io_manager_key or DEFAULT_IO_MANAGER_KEY
        self.metadata: dict[str, MetadataValue] = normalize_metadata(metadata)

    @property
    def is_nothing(self) -> bool:
        return is_nothing(self.dagster_type)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({type_name(self.dagster_type)})"


class DynamicOut(Out):
    """An output yielding any number of ``DynamicOutput(value, mapping_key)`` items: downstream
    ops ``.map`` over them (one run per item; in Airflow, dynamic task mapping) or
    ``.collect()`` them into a list. Same arguments as ``Out``."""

    is_dynamic = True


@dataclass(frozen=True, eq=False)
class OpDefinition:
    """What ``@op`` returns. Call it inside ``@graph``/``@job`` to compose, or directly in a test.

    ``ins`` lists every input (the function's input parameters, then ``Nothing`` inputs only
    declared in ``ins=``); ``config_type`` is the typed ``Config`` parameter's class or the
    model built from ``config_schema`` (then ``context.op_config`` is a dict).
    """

    name: str
    compute: ComputeSignature
    ins: Mapping[str, In]
    outs: Mapping[str, Out]
    config_type: type[Config] | None = None
    config_schema_given: bool = False
    required_resource_keys: frozenset[str] = frozenset()
    tags: Mapping[str, str] = field(default_factory=dict)
    retry_policy: RetryPolicy | None = None
    description: str | None = None
    location: str = ""

    @property
    def node_name(self) -> str:
        return self.name

    @property
    def input_names(self) -> list[str]:
        return list(self.ins)

    @property
    def value_inputs(self) -> list[str]:
        """Inputs whose value is passed to the function (not ``Nothing``)."""
        return [n for n, i in self.ins.items() if not i.is_nothing]

    @property
    def output_names(self) -> list[str]:
        return list(self.outs)

    @property
    def has_dynamic_output(self) -> bool:
        return any(o.is_dynamic for o in self.outs.values())

    def alias(self, name: str) -> PendingOpInvocation:
        """This op under another node name, to use it twice in one graph."""
        return PendingOpInvocation(self, check_name(name, "op alias", self.location))

    def with_retry_policy(self, retry_policy: RetryPolicy) -> PendingOpInvocation:
        return PendingOpInvocation(self, self.name, retry_policy)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return PendingOpInvocation(self, self.name)(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<OpDefinition {self.name}>"


@dataclass(frozen=True)
class PendingOpInvocation:
    """An op about to be composed under ``name`` (``op.alias(name)``)."""

    op_def: OpDefinition
    name: str
    retry_policy: RetryPolicy | None = None

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from asset2airflow.authoring.graph_composition import current_composition

        composition = current_composition()
        if composition is not None:
            return composition.invoke(self.op_def, self.name, args, kwargs, self.retry_policy)
        if self.name != self.op_def.name or self.retry_policy is not None:
            raise DefinitionError(
                f"op {self.op_def.name!r}: .alias()/.with_retry_policy() apply inside a @graph or "
                "@job body; call the op itself to run it directly."
            )
        from asset2airflow.authoring.op_invocation import invoke_op_directly

        return invoke_op_directly(self.op_def, args, kwargs)


def _outs(out: Any, fn: OpFn, what: str) -> dict[str, Out]:
    if out is None:
        returns = inspect.signature(fn).return_annotation
        if returns is None or returns == "None":
            return {"result": Out(Nothing)}
        return {"result": Out()}
    if isinstance(out, Out):
        return {"result": out}
    if isinstance(out, Mapping):
        outs: dict[str, Out] = {}
        for name, value in out.items():
            check_name(name, "output", what)
            if not isinstance(value, Out):
                raise DefinitionError(
                    f"{what}: out[{name!r}] is {value!r}; use Out(...) or DynamicOut(...)"
                )
            outs[name] = value
        if not outs:
            raise DefinitionError(f"{what}: out={{}} declares no outputs; leave out= out instead")
        return outs
    raise DefinitionError(f"{what}: out={out!r}; pass Out(...), DynamicOut(...) or a dict of them")


def _ins(ins: Mapping[str, In] | None, compute: ComputeSignature, what: str) -> dict[str, In]:
    given = dict(ins or {})
    for name, value in given.items():
        if not isinstance(value, In):
            raise DefinitionError(f"{what}: ins[{name!r}] is {value!r}; use In(...)")
    params = inspect.signature(compute.fn).parameters
    result: dict[str, In] = {}
    for name in compute.input_params:
        declared = given.pop(name, None)
        if declared is not None and declared.is_nothing:
            raise DefinitionError(
                f"{what} ({compute.location}): input {name!r} is In(Nothing), which passes no "
                "value; remove the parameter from the function (Nothing inputs only order ops)."
            )
        default = params[name].default
        if default is params[name].empty:
            default = NO_DEFAULT
        if declared is None:
            declared = In(default_value=default)
        elif not declared.has_default and default is not NO_DEFAULT:
            declared = In(declared.dagster_type, declared.description, default, declared.metadata)
        result[name] = declared
    for name, declared in given.items():
        if not declared.is_nothing:
            raise DefinitionError(
                f"{what} ({compute.location}): ins names {name!r}, which is not a parameter of "
                f"the function (its input parameters are {list(compute.input_params)}); add the "
                "parameter, fix the name, or make it In(Nothing) to only wait for another op."
            )
        result[check_name(name, "input", what)] = declared
    return result


@overload
def op(compute_fn: OpFn) -> OpDefinition: ...


@overload
def op(
    compute_fn: None = None,
    *,
    name: str | None = ...,
    description: str | None = ...,
    ins: Mapping[str, In] | None = ...,
    out: Out | Mapping[str, Out] | None = ...,
    config_schema: Mapping[str, Any] | None = ...,
    required_resource_keys: Iterable[str] | None = ...,
    tags: Mapping[str, Any] | None = ...,
    retry_policy: RetryPolicy | None = ...,
    pool: str | None = ...,
    **dagster_keywords: Any,
) -> Callable[[OpFn], OpDefinition]: ...


def op(
    compute_fn: OpFn | None = None,
    *,
    name: str | None = None,
    description: str | None = None,
    ins: Mapping[str, In] | None = None,
    out: Out | Mapping[str, Out] | None = None,
    config_schema: Mapping[str, Any] | None = None,
    required_resource_keys: Iterable[str] | None = None,
    tags: Mapping[str, Any] | None = None,
    retry_policy: RetryPolicy | None = None,
    pool: str | None = None,
    **dagster_keywords: Any,
) -> OpDefinition | Callable[[OpFn], OpDefinition]:
    """Declare an op: a step of a job, composed with other ops in ``@graph``/``@job``.

    Parameters after the optional ``context`` are inputs (``ins`` may type them or add
    ``In(Nothing)`` inputs); config comes from ``config_schema`` (read ``context.op_config``)
    or a ``Config``-annotated parameter; resources from ``required_resource_keys`` or
    resource-annotated parameters. Return the value (a tuple for several ``out``s), or yield
    ``Output``/``DynamicOutput``/``ExpectationResult``. Dagster's other keywords (``version``,
    ``code_version``) are refused by name.
    """
    refuse_keywords("op", dagster_keywords, {"code_version": REFUSED_KEYWORDS["version"]})
    if pool is not None:
        raise DefinitionError(
            f"op(pool={pool!r}) is not built yet: use an Airflow pool on the DAG's tasks."
        )

    def decorate(fn: OpFn) -> OpDefinition:
        if isinstance(fn, str) or not callable(fn) or isinstance(fn, type):
            raise DefinitionError(
                f"@op decorates a function, but was given {fn!r}; to name the op write "
                f"@op(name=...) above a `def`."
            )
        if inspect.isasyncgenfunction(fn):
            raise DefinitionError(f"@op cannot decorate the async generator {fn.__name__}")
        op_name = check_name(fn.__name__ if name is None else name, "op")
        what = f"op {op_name!r}"
        compute = read_signature(fn, what)
        if config_schema is not None and compute.config_type is not None:
            raise DefinitionError(
                f"{what} ({compute.location}) has both config_schema= and a Config parameter "
                f"{compute.config_param!r}; keep one."
            )
        config_type = compute.config_type
        if config_schema is not None:
            config_type = config_model(config_schema, f"{op_name}_config", what)
        outs = _outs(out, fn, what)
        for out_name, declared in outs.items():
            if declared.is_dynamic and declared.is_nothing:
                raise DefinitionError(f"{what}: DynamicOut({out_name!r}) cannot be Nothing")
        resource_keys = set(required_resource_keys or ()) | set(compute.resource_params)
        resource_keys |= {o.io_manager_key for o in outs.values() if not o.is_nothing}
        return OpDefinition(
            name=op_name,
            compute=compute,
            ins=_ins(ins, compute, what),
            outs=outs,
            config_type=config_type,
            config_schema_given=config_schema is not None,
            required_resource_keys=frozenset(resource_keys),
            tags=_tags(tags, what),
            retry_policy=retry_policy,
            description=description or inspect.getdoc(fn) or None,
            location=compute.location,
        )

    return decorate(compute_fn) if compute_fn is not None else decorate


def _tags(tags: Mapping[str, Any] | None, what: str) -> dict[str, str]:
    import json

    result: dict[str, str] = {}
    for key, value in (tags or {}).items():
        if not isinstance(key, str) or not key:
            raise DefinitionError(f"{what}: tag key {key!r} is not a non-empty string")
        try:
            result[key] = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
        except (TypeError, ValueError) as exc:
            raise DefinitionError(
                f"{what}: tag {key!r} = {value!r} is neither a string nor JSON; pass a string"
            ) from exc
    return result
