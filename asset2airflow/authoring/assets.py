"""``AssetsDefinition``: one computation producing one or more assets (or none: external specs)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence, Set
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from asset2airflow.authoring.airflow_options import AirflowTaskOptions
from asset2airflow.authoring.keys import AssetCheckKey, AssetKey
from asset2airflow.authoring.partition_mappings import PartitionMapping
from asset2airflow.authoring.partitions import PartitionsDefinition
from asset2airflow.authoring.policy import RetryPolicy
from asset2airflow.authoring.signature import ComputeSignature
from asset2airflow.authoring.specs import AssetCheckSpec, AssetIn, AssetSpec
from asset2airflow.errors import DefinitionError


@dataclass(frozen=True)
class AssetInput:
    """A parameter bound to an upstream asset."""

    param_name: str
    key: AssetKey
    asset_in: AssetIn


class AssetKeys(Set[AssetKey]):
    """The keys of a definition: a set (as Dagster's ``.keys``) that iterates in declaration
    order, so everything derived from it is stable from parse to parse."""

    __slots__ = ("_keys",)

    def __init__(self, keys: Iterable[AssetKey]) -> None:
        self._keys = tuple(dict.fromkeys(keys))

    def __contains__(self, key: object) -> bool:
        return key in self._keys

    def __iter__(self) -> Iterator[AssetKey]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def __repr__(self) -> str:
        return f"AssetKeys({list(self._keys)!r})"


@dataclass(frozen=True)
class NodeDefinition:
    """What Dagster calls the op (``assets_def.op`` / ``.node_def``): here only its name."""

    name: str


@dataclass(frozen=True, eq=False)
class AssetsDefinition:
    """What ``@asset``/``@multi_asset`` return. Callable like the decorated function in tests.

    ``compute`` is ``None`` for external assets (declared with ``AssetSpec``): they are never
    materialized here, only depended on.
    """

    node_name: str
    specs_by_output: Mapping[str, AssetSpec]
    io_manager_keys: Mapping[str, str]
    inputs: tuple[AssetInput, ...] = ()
    check_specs: tuple[AssetCheckSpec, ...] = ()
    compute: ComputeSignature | None = None
    required_resource_keys: frozenset[str] = frozenset()
    retry_policy: RetryPolicy | None = None
    can_subset: bool = False
    location: str = ""
    internal_asset_deps: Mapping[str, tuple[AssetKey, ...]] = field(default_factory=dict)
    """Per output name: the only keys that output depends on (``multi_asset``)."""
    resource_defs: Mapping[str, Any] = field(default_factory=dict)
    """Resources bound with ``with_resources``; ``Definitions`` merges them."""
    airflow: AirflowTaskOptions | None = None
    """Airflow settings pinned with ``airflow_task`` (task id, Airflow assets, arguments)."""

    # --- keys and specs --------------------------------------------------------------------

    @cached_property
    def keys(self) -> AssetKeys:
        return AssetKeys(spec.key for spec in self.specs_by_output.values())

    @property
    def key(self) -> AssetKey:
        keys = self.keys
        if len(keys) != 1:
            raise ValueError(
                f"{self.node_name!r} produces {len(keys)} assets; use .keys instead of .key"
            )
        return next(iter(keys))

    @property
    def op(self) -> NodeDefinition:
        return NodeDefinition(self.node_name)

    @property
    def node_def(self) -> NodeDefinition:
        return self.op

    @property
    def partitions_def(self) -> PartitionsDefinition | None:
        """The partitions of this definition's assets (one truth: their specs, which
        ``common_partitions_def`` checked agree)."""
        return next(iter(self.specs_by_output.values())).partitions_def

    @property
    def specs(self) -> list[AssetSpec]:
        return list(self.specs_by_output.values())

    @property
    def is_external(self) -> bool:
        return self.compute is None

    @property
    def is_multi(self) -> bool:
        return len(self.specs_by_output) != 1

    @cached_property
    def _outputs_by_key(self) -> dict[AssetKey, tuple[str, AssetSpec]]:
        return {spec.key: (name, spec) for name, spec in self.specs_by_output.items()}

    def spec_for(self, key: AssetKey) -> AssetSpec:
        return self._outputs_by_key[key][1]

    @property
    def specs_by_key(self) -> dict[AssetKey, AssetSpec]:
        return {spec.key: spec for spec in self.specs_by_output.values()}

    def get_asset_spec(self, key: AssetKey | None = None) -> AssetSpec:
        """The spec of ``key`` (of the one asset when ``key`` is omitted), as in Dagster."""
        return self.spec_for(self.key if key is None else key)

    def map_asset_specs(self, fn: Callable[[AssetSpec], AssetSpec]) -> AssetsDefinition:
        """A copy whose specs are ``fn(spec)``; ``fn`` may change anything but the key and the
        partitions (Dagster's rule for the key; the partitions are the function's)."""
        mapped: dict[str, AssetSpec] = {}
        for output, spec in self.specs_by_output.items():
            new = fn(spec)
            if not isinstance(new, AssetSpec):
                raise DefinitionError(
                    f"map_asset_specs: the function returned {new!r} for "
                    f"{spec.key.to_user_string()!r}; return an AssetSpec"
                )
            for attribute in ("key", "partitions_def"):
                if getattr(new, attribute) != getattr(spec, attribute):
                    raise DefinitionError(
                        f"map_asset_specs changed the {attribute} of asset "
                        f"{spec.key.to_user_string()!r}; the mapping function must not change "
                        f"an asset's {attribute}."
                    )
            mapped[output] = new
        return replace(self, specs_by_output=mapped)

    def output_name_for(self, key: AssetKey) -> str:
        return self._outputs_by_key[key][0]

    def partition_mapping_for(self, key: AssetKey, upstream: AssetKey) -> PartitionMapping | None:
        """The mapping declared on ``key``'s edge from ``upstream`` (``AssetIn`` or ``AssetDep``);
        ``None`` when the edge declares none."""
        for asset_input in self.inputs:
            if asset_input.key == upstream and asset_input.asset_in.partition_mapping is not None:
                return asset_input.asset_in.partition_mapping
        for dep in self.spec_for(key).deps:
            if dep.asset == upstream and dep.partition_mapping is not None:
                return dep.partition_mapping
        return None

    def upstream_keys(self, key: AssetKey | None = None) -> list[AssetKey]:
        """Keys this definition (or one of its assets) depends on, in declaration order."""
        if key is not None and self.output_name_for(key) in self.internal_asset_deps:
            return list(self.internal_asset_deps[self.output_name_for(key)])
        if key is None and self.internal_asset_deps:
            own = set(self.keys)
            every = (k for spec in self.specs for k in self.upstream_keys(spec.key))
            return [k for k in dict.fromkeys(every) if k not in own]
        specs = [self.spec_for(key)] if key is not None else self.specs
        seen: dict[AssetKey, None] = {}
        for spec in specs:
            for dep in spec.deps:
                seen.setdefault(dep.asset, None)
        for asset_input in self.inputs:
            seen.setdefault(asset_input.key, None)
        return list(seen)

    @property
    def check_keys(self) -> list[AssetCheckKey]:
        return [spec.key for spec in self.check_specs]

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from asset2airflow.authoring.invocation import invoke_directly

        return invoke_directly(self, args, kwargs)

    def __repr__(self) -> str:
        keys = ", ".join(k.to_user_string() for k in self.keys)
        return f"<AssetsDefinition {self.node_name} [{keys}]>"


def map_asset_specs(
    fn: Callable[[AssetSpec], AssetSpec], iterable: Iterable[AssetsDefinition | AssetSpec]
) -> list[AssetsDefinition | AssetSpec]:
    """Dagster's ``map_asset_specs``: ``fn`` applied to each ``AssetSpec``, and to the specs of
    each ``AssetsDefinition`` (see ``AssetsDefinition.map_asset_specs``)."""
    return [
        item.map_asset_specs(fn) if isinstance(item, AssetsDefinition) else fn(item)
        for item in iterable
    ]


def with_resources(
    definitions: Iterable[AssetsDefinition], resource_defs: Mapping[str, Any]
) -> list[AssetsDefinition]:
    """Copies of ``definitions`` carrying ``resource_defs`` (Dagster's ``with_resources``);
    ``Definitions`` and ``materialize`` merge them with their own resources."""
    return [replace(d, resource_defs={**d.resource_defs, **resource_defs}) for d in definitions]


def common_partitions_def(
    specs: Iterable[AssetSpec], what: str, where: str
) -> PartitionsDefinition | None:
    """The one partitions definition all ``specs`` share; they must agree (a multi-asset runs
    once per partition, for all its assets)."""
    found: dict[PartitionsDefinition | None, AssetSpec] = {}
    for spec in specs:
        found.setdefault(spec.partitions_def, spec)
    if len(found) > 1:
        described = "; ".join(
            f"{s.key.to_user_string()!r}: {s.partitions_def!r}" for s in found.values()
        )
        raise DefinitionError(
            f"{what} ({where}) has assets with different partitions ({described}); give all "
            "its assets the same partitions_def, or split it into several definitions."
        )
    return next(iter(found.values())).partitions_def if found else None


def external_assets_definition(spec: AssetSpec) -> AssetsDefinition:
    """Wrap an ``AssetSpec`` given to ``Definitions(assets=...)`` as a non-computed definition."""
    return AssetsDefinition(
        node_name=spec.key.to_python_identifier(),
        specs_by_output={spec.key.to_python_identifier(): spec},
        io_manager_keys={spec.key.to_python_identifier(): "io_manager"},
    )


def resource_keys_needed(
    compute: ComputeSignature | None,
    required_resource_keys: Sequence[str] | None,
    io_manager_keys: Mapping[str, str],
    inputs: Sequence[AssetInput],
) -> frozenset[str]:
    keys = set(required_resource_keys or ())
    if compute is not None:
        keys.update(compute.resource_params)
    keys.update(io_manager_keys.values())
    keys.update(i.asset_in.input_manager_key for i in inputs if i.asset_in.input_manager_key)
    return frozenset(keys)
