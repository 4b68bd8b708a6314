"""The resolved asset graph: which definition produces each key, edges, checks, and a stable
topological order. Built (and validated) once per ``Definitions``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import cached_property

from asset2airflow.asset_graph import validation
from asset2airflow.asset_graph.nodes import CheckNode
from asset2airflow.authoring.assets import AssetsDefinition, external_assets_definition
from asset2airflow.authoring.checks import AssetChecksDefinition
from asset2airflow.authoring.keys import AssetCheckKey, AssetKey
from asset2airflow.authoring.partition_mappings import PartitionMapping, infer_partition_mapping
from asset2airflow.authoring.partitions import PartitionsDefinition
from asset2airflow.authoring.specs import AssetSpec
from asset2airflow.errors import DefinitionError


class AssetGraph:
    """Keys, edges and checks of a set of definitions. Raises on any invalid definition."""

    toposorted_keys: list[AssetKey]
    """Every key after its upstreams; ties broken by key so the order is stable."""

    def __init__(
        self,
        assets: Iterable[AssetsDefinition | AssetSpec],
        asset_checks: Iterable[AssetChecksDefinition] = (),
        resource_keys: Iterable[str] = (),
    ) -> None:
        self.assets_defs: list[AssetsDefinition] = [
            external_assets_definition(a) if isinstance(a, AssetSpec) else a for a in assets
        ]
        self.checks_defs: list[AssetChecksDefinition] = list(asset_checks)
        self.assets_def_by_key = validation.index_keys(self.assets_defs)
        self.checks: dict[AssetCheckKey, CheckNode] = validation.index_checks(
            self.assets_defs, self.checks_defs, self.assets_def_by_key
        )
        validation.check_node_names(self.assets_defs, self.checks_defs)
        validation.check_upstreams_exist(self.assets_defs, self.checks_defs, self.assets_def_by_key)
        self.upstream: dict[AssetKey, list[AssetKey]] = {
            key: assets_def.upstream_keys(key) for key, assets_def in self.assets_def_by_key.items()
        }
        self.toposorted_keys = validation.check_acyclic(self.upstream, self.assets_def_by_key)
        for key in self.toposorted_keys:
            for upstream in self.upstream[key]:
                self.partition_mapping(key, upstream)  # raises naming a mapping that cannot fit
        validation.check_resources(
            self.assets_defs, self.checks_defs, self.assets_def_by_key, set(resource_keys)
        )

    # --- lookups -----------------------------------------------------------------------------

    def partition_mapping(self, key: AssetKey, upstream: AssetKey) -> PartitionMapping | None:
        """How ``key``'s partitions read ``upstream``'s: the edge's declared mapping or Dagster's
        default; ``None`` when ``upstream`` is not partitioned."""
        upstream_def = self.spec(upstream).partitions_def
        downstream_def = self.spec(key).partitions_def
        assets_def = self.assets_def_by_key[key]
        declared = assets_def.partition_mapping_for(key, upstream)
        if upstream_def is None:
            if declared is not None:
                raise DefinitionError(
                    f"asset {key.to_user_string()!r} ({assets_def.location}) declares "
                    f"{declared!r} on its edge from {upstream.to_user_string()!r}, which is not "
                    "partitioned; drop the partition_mapping."
                )
            return None
        if declared is None:
            return infer_partition_mapping(upstream_def, downstream_def)
        problem = declared.problem_with(downstream_def, upstream_def)
        if problem is not None:
            raise DefinitionError(
                f"asset {key.to_user_string()!r} ({assets_def.location}) reads "
                f"{upstream.to_user_string()!r} through {declared!r}, which does not fit: "
                f"{problem}."
            )
        return declared

    @property
    def all_keys(self) -> list[AssetKey]:
        return sorted(self.assets_def_by_key)

    @property
    def materializable_keys(self) -> list[AssetKey]:
        return [k for k in self.toposorted_keys if not self.assets_def_by_key[k].is_external]

    @property
    def external_keys(self) -> list[AssetKey]:
        return [k for k in self.all_keys if self.assets_def_by_key[k].is_external]

    def has(self, key: AssetKey) -> bool:
        return key in self.assets_def_by_key

    def get(self, key: AssetKey) -> AssetsDefinition:
        return self.assets_def_by_key[key]

    def spec(self, key: AssetKey) -> AssetSpec:
        return self.assets_def_by_key[key].spec_for(key)

    def checks_for(self, key: AssetKey) -> list[CheckNode]:
        return [self.checks[c] for c in self._check_keys_by_asset.get(key, [])]

    def io_manager_key(self, key: AssetKey) -> str:
        assets_def = self.assets_def_by_key[key]
        return assets_def.io_manager_keys[assets_def.output_name_for(key)]

    @cached_property
    def downstream(self) -> dict[AssetKey, list[AssetKey]]:
        result: dict[AssetKey, list[AssetKey]] = {k: [] for k in self.assets_def_by_key}
        for key in self.toposorted_keys:
            for parent in self.upstream[key]:
                result[parent].append(key)
        return result

    @cached_property
    def _check_keys_by_asset(self) -> dict[AssetKey, list[AssetCheckKey]]:
        result: dict[AssetKey, list[AssetCheckKey]] = {}
        for check_key in sorted(self.checks):
            result.setdefault(check_key.asset_key, []).append(check_key)
        return result

    # --- order -------------------------------------------------------------------------------

    @cached_property
    def toposorted_nodes(self) -> list[AssetsDefinition]:
        """Computed definitions after the definitions they depend on."""
        node_upstream: dict[str, list[str]] = {}
        by_name: dict[str, AssetsDefinition] = {}
        for assets_def in self.assets_defs:
            if assets_def.is_external:
                continue
            by_name[assets_def.node_name] = assets_def
            parents = {
                self.assets_def_by_key[k].node_name
                for k in assets_def.upstream_keys()
                if not self.assets_def_by_key[k].is_external
            }
            parents.discard(assets_def.node_name)
            node_upstream[assets_def.node_name] = sorted(parents)
        return [by_name[name] for name in validation.toposort(node_upstream)]

    def upstream_closure(self, keys: Sequence[AssetKey]) -> set[AssetKey]:
        """``keys`` and everything they depend on, transitively."""
        return _closure(keys, self.upstream)

    def downstream_closure(self, keys: Sequence[AssetKey]) -> set[AssetKey]:
        """``keys`` and everything that depends on them, transitively."""
        return _closure(keys, self.downstream)

    def partitions_defs_among(
        self, keys: Iterable[AssetKey]
    ) -> list[tuple[AssetKey, PartitionsDefinition]]:
        """Each distinct partitions definition of ``keys`` with the first asset (in key order)
        that has it: one entry when they share one, none when none is partitioned."""
        found: list[tuple[AssetKey, PartitionsDefinition]] = []
        for key in sorted(keys):
            definition = self.spec(key).partitions_def
            if definition is not None and all(definition != d for _, d in found):
                found.append((key, definition))
        return found


def _closure(
    keys: Sequence[AssetKey], edges: Mapping[AssetKey, Sequence[AssetKey]]
) -> set[AssetKey]:
    seen: set[AssetKey] = set()
    stack = list(keys)
    while stack:
        key = stack.pop()
        if key not in seen:
            seen.add(key)
            stack.extend(edges[key])
    return seen
