"""Value objects describing assets and their edges: ``AssetSpec``, ``AssetIn``, ``AssetDep``,
``AssetOut`` and ``AssetCheckSpec``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Union

import attrs

from asset2airflow.authoring.keys import (
    AssetCheckKey,
    AssetKey,
    CoercibleToAssetKey,
    coerce_key_prefix,
)
from asset2airflow.authoring.metadata import MetadataValue, normalize_metadata
from asset2airflow.authoring.names import check_name
from asset2airflow.authoring.partition_mappings import PartitionMapping
from asset2airflow.authoring.partitions import PartitionsDefinition
from asset2airflow.authoring.policy import AutomationCondition
from asset2airflow.errors import DefinitionError

if TYPE_CHECKING:
    from asset2airflow.authoring.assets import AssetsDefinition

DEFAULT_GROUP = "default"
DEFAULT_IO_MANAGER_KEY = "io_manager"


def _one_key(asset: CoercibleToAssetDep) -> AssetKey:
    keys = _keys_of(asset)
    if len(keys) != 1:
        raise TypeError(f"AssetDep needs exactly one asset, {asset!r} has {len(keys)} keys")
    return keys[0]


def _dep_mapping(dep: AssetDep, _: attrs.Attribute[Any], mapping: Any) -> None:
    _check_partition_mapping(mapping, f"AssetDep({dep.asset.to_user_string()!r})")


def _in_mapping(_: AssetIn, __: attrs.Attribute[Any], mapping: Any) -> None:
    _check_partition_mapping(mapping, "AssetIn")


def _optional_key(key: CoercibleToAssetKey | None) -> AssetKey | None:
    return AssetKey.from_coercible(key) if key is not None else None


def _names(values: Sequence[str] | None) -> tuple[str, ...]:
    return tuple(values or ())


def _kinds(values: Iterable[str] | None) -> frozenset[str]:
    return frozenset(values or ())


@attrs.frozen(slots=False)
class AssetDep:
    """A dependency that passes no value: the upstream must be materialized first."""

    asset: AssetKey = attrs.field(converter=_one_key)
    partition_mapping: PartitionMapping | None = attrs.field(
        default=None, kw_only=True, validator=_dep_mapping
    )

    @property
    def asset_key(self) -> AssetKey:
        """Dagster's name for the upstream's key."""
        return self.asset


@attrs.frozen(slots=False, init=False)
class AssetSpec:
    """Everything about one asset except how it is computed.

    In ``Definitions(assets=[AssetSpec("raw_orders")])`` it declares an asset produced elsewhere
    (another file/DAG, or outside Airflow); in ``@multi_asset(specs=[...])`` it declares outputs.
    The constructor normalizes what users pass (errors name the asset) and hands it to the
    generated ``__attrs_init__``.
    """

    key: AssetKey
    deps: tuple[AssetDep, ...] = ()
    description: str | None = None
    metadata: Mapping[str, MetadataValue] = attrs.field(factory=dict)
    group_name: str | None = None
    skippable: bool = False
    code_version: str | None = None
    owners: tuple[str, ...] = ()
    tags: Mapping[str, str] = attrs.field(factory=dict)
    kinds: frozenset[str] = frozenset()
    partitions_def: PartitionsDefinition | None = None
    automation_condition: AutomationCondition | None = None

    def __init__(
        self,
        key: CoercibleToAssetKey,
        *,
        deps: Iterable[CoercibleToAssetDep] | None = None,
        description: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        group_name: str | None = None,
        skippable: bool = False,
        code_version: str | None = None,
        owners: Sequence[str] | None = None,
        tags: Mapping[str, str] | None = None,
        kinds: Iterable[str] | None = None,
        partitions_def: PartitionsDefinition | None = None,
        automation_condition: AutomationCondition | None = None,
    ) -> None:
        asset_key = AssetKey.from_coercible(key)
        owner = f"asset {asset_key.to_user_string()!r}"
        asset_deps = coerce_deps(deps)
        normalized = normalize_metadata(metadata, owner)
        if group_name is not None:
            check_name(group_name, "group", owner)
        self.__attrs_init__(
            asset_key,
            asset_deps,
            description,
            normalized,
            group_name,
            skippable,
            code_version,
            _names(owners),
            dict(tags or {}),
            _kinds(kinds),
            partitions_def,
            automation_condition,
        )

    def replace_attributes(self, **changes: Any) -> AssetSpec:
        return attrs.evolve(self, **changes)

    def merge_attributes(
        self,
        *,
        deps: Iterable[CoercibleToAssetDep] | None = None,
        metadata: Mapping[str, Any] | None = None,
        owners: Sequence[str] | None = None,
        tags: Mapping[str, str] | None = None,
        kinds: Iterable[str] | None = None,
    ) -> AssetSpec:
        """A copy with these added to the spec's own (Dagster's ``merge_attributes``)."""
        return attrs.evolve(
            self,
            deps=(*self.deps, *coerce_deps(deps)),
            metadata={**self.metadata, **dict(metadata or {})},
            owners=[*self.owners, *(o for o in owners or () if o not in self.owners)],
            tags={**self.tags, **dict(tags or {})},
            kinds=self.kinds | set(kinds or ()),
        )

    def with_defaults(self, **defaults: Any) -> AssetSpec:
        """A copy where every attribute that is unset here takes the given default."""
        changes = {k: v for k, v in defaults.items() if not getattr(self, k)}
        return attrs.evolve(self, **changes) if changes else self


@attrs.frozen(slots=False)
class AssetIn:
    """How a parameter maps to an upstream asset (``ins={"orders": AssetIn("raw_orders")}``)."""

    key: AssetKey | None = attrs.field(default=None, converter=_optional_key)
    metadata: Mapping[str, MetadataValue] = attrs.field(default=None, converter=normalize_metadata)
    key_prefix: tuple[str, ...] = attrs.field(default=None, converter=coerce_key_prefix)
    input_manager_key: str | None = None
    partition_mapping: PartitionMapping | None = attrs.field(default=None, validator=_in_mapping)

    def __attrs_pre_init__(self, key: Any, metadata: Any, key_prefix: Any, *rest: Any) -> None:
        """Before conversion (``key_prefix=[]`` is given, though empty)."""
        if key is not None and key_prefix is not None:
            raise TypeError("AssetIn takes key or key_prefix, not both")

    def resolve_key(self, param_name: str, default_prefix: Sequence[str]) -> AssetKey:
        if self.key is not None:
            return self.key
        prefix = self.key_prefix or tuple(default_prefix)
        return AssetKey([*prefix, param_name])


@attrs.frozen(slots=False)
class AssetOut:
    """One output of a ``@multi_asset``; the dict key of ``outs`` is the output (and asset) name."""

    key_prefix: tuple[str, ...] = attrs.field(default=None, converter=coerce_key_prefix)
    key: AssetKey | None = attrs.field(default=None, converter=_optional_key)
    io_manager_key: str | None = None
    description: str | None = None
    is_required: bool = True
    group_name: str | None = None
    metadata: Mapping[str, Any] | None = None
    code_version: str | None = None
    owners: tuple[str, ...] = attrs.field(default=None, converter=_names)
    tags: Mapping[str, str] | None = None
    kinds: frozenset[str] = attrs.field(default=None, converter=_kinds)
    automation_condition: AutomationCondition | None = None

    def to_spec(self, output_name: str, deps: tuple[AssetDep, ...]) -> AssetSpec:
        key = self.key or AssetKey([*self.key_prefix, output_name])
        return AssetSpec(
            key,
            deps=deps,
            description=self.description,
            metadata=self.metadata,
            group_name=self.group_name,
            skippable=not self.is_required,
            code_version=self.code_version,
            owners=self.owners,
            tags=self.tags,
            kinds=self.kinds,
            automation_condition=self.automation_condition,
        )


@attrs.frozen(slots=False, init=False)
class AssetCheckSpec:
    """Declares a check on ``asset``: used by ``@asset(check_specs=...)`` and ``@asset_check``.

    ``blocking=True``: if the check fails with severity ERROR, nothing downstream of the asset runs
    (in Airflow: the asset event is not emitted, so other DAGs are not triggered either).
    """

    name: str
    asset_key: AssetKey
    description: str | None = None
    blocking: bool = False
    additional_deps: tuple[AssetDep, ...] = ()
    metadata: Mapping[str, MetadataValue] = attrs.field(factory=dict)

    def __init__(
        self,
        name: str,
        *,
        asset: CoercibleToAssetDep,
        description: str | None = None,
        blocking: bool = False,
        additional_deps: Iterable[CoercibleToAssetDep] | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> None:
        check_name(name, "asset check")
        keys = _keys_of(asset)
        if len(keys) != 1:
            raise TypeError(f"check {name!r} must target exactly one asset, got {asset!r}")
        deps = coerce_deps(additional_deps)
        owner = f"asset check {f'{keys[0].to_user_string()}:{name}'!r}"  # as the engine says
        normalized = normalize_metadata(metadata, owner)
        self.__attrs_init__(name, keys[0], description, blocking, deps, normalized)

    @property
    def key(self) -> AssetCheckKey:
        return AssetCheckKey(self.asset_key, self.name)


def _check_partition_mapping(mapping: Any, where: str) -> PartitionMapping | None:
    """A mapping must be one of ours: anything else would be stored and never applied."""
    if mapping is not None and not isinstance(mapping, PartitionMapping):
        raise DefinitionError(
            f"{where}(partition_mapping={mapping!r}): expected a PartitionMapping such as "
            "TimeWindowPartitionMapping(start_offset=-1, end_offset=-1)."
        )
    return mapping


CoercibleToAssetDep = Union[CoercibleToAssetKey, AssetSpec, AssetDep, "AssetsDefinition"]


def _keys_of(value: Any) -> list[AssetKey]:
    if isinstance(value, AssetDep):
        return [value.asset]
    if isinstance(value, AssetSpec):
        return [value.key]
    if isinstance(value, (AssetKey, str, list, tuple)):
        return [AssetKey.from_coercible(value)]
    keys = getattr(value, "keys", None)  # an AssetsDefinition
    if keys is not None:
        return sorted(keys)
    raise TypeError(
        f"cannot use {value!r} as an asset dependency: pass an asset, an AssetKey, an AssetSpec, "
        "an AssetDep or a key string such as 'sales/raw_sales'"
    )


def coerce_deps(
    values: Iterable[CoercibleToAssetDep] | CoercibleToAssetDep | None,
) -> tuple[AssetDep, ...]:
    """Normalize ``deps=[...]`` to ``AssetDep``s (an ``AssetDep`` keeps its partition mapping).

    A single dependency given alone (``deps="raw"``, an ``AssetKey``, a spec or an asset) is one
    dependency, not one per character or per item.
    """
    if values is None:
        return ()
    items: Iterable[Any] = (
        [values]
        if isinstance(values, (str, AssetKey, AssetSpec, AssetDep)) or hasattr(values, "specs")
        else values
    )
    result: list[AssetDep] = []
    for value in items:
        if isinstance(value, AssetDep):
            result.append(value)
        else:
            result.extend(AssetDep(key) for key in _keys_of(value))
    if isinstance(values, (set, frozenset)):  # a set has no order; parses must agree
        result.sort(key=lambda dep: dep.asset)
    return tuple(result)
