"""``AssetsDefinition``: one computation producing one or more assets (or none: external specs)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from asset2airflow.definitions.keys import AssetCheckKey, AssetKey
from asset2airflow.definitions.partitions import PartitionsDefinition
from asset2airflow.definitions.policy import RetryPolicy
from asset2airflow.definitions.signature import ComputeSignature
from asset2airflow.definitions.specs import AssetCheckSpec, AssetIn, AssetSpec


@dataclass(frozen=True)
class AssetInput:
    """A parameter bound to an upstream asset."""

    param_name: str
    key: AssetKey
    asset_in: AssetIn


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
    partitions_def: PartitionsDefinition | None = None
    can_subset: bool = False
    op_tags: Mapping[str, Any] = field(default_factory=dict)
    location: str = ""

    # --- keys and specs --------------------------------------------------------------------

    @property
    def keys(self) -> list[AssetKey]:
        return [spec.key for spec in self.specs_by_output.values()]

    @property
    def key(self) -> AssetKey:
        keys = self.keys
        if len(keys) != 1:
            raise ValueError(
                f"{self.node_name!r} produces {len(keys)} assets; use .keys instead of .key"
            )
        return keys[0]

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

    def output_name_for(self, key: AssetKey) -> str:
        return self._outputs_by_key[key][0]

    def upstream_keys(self, key: AssetKey | None = None) -> list[AssetKey]:
        """Keys this definition (or one of its assets) depends on, in declaration order."""
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
        from asset2airflow.definitions.invocation import invoke_directly

        return invoke_directly(self, args, kwargs)

    def __repr__(self) -> str:
        keys = ", ".join(k.to_user_string() for k in self.keys)
        return f"<AssetsDefinition {self.node_name} [{keys}]>"


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
