"""``@asset_check``: a data-quality check that runs after the asset it targets."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from asset2airflow.authoring.assets import AssetInput, resource_keys_needed
from asset2airflow.authoring.keys import AssetCheckKey, AssetKey
from asset2airflow.authoring.names import check_name
from asset2airflow.authoring.refused import refuse_keywords
from asset2airflow.authoring.signature import ComputeSignature, read_signature
from asset2airflow.authoring.specs import (
    AssetCheckSpec,
    AssetIn,
    CoercibleToAssetDep,
)
from asset2airflow.errors import DefinitionError


@dataclass(frozen=True, eq=False)
class AssetChecksDefinition:
    """What ``@asset_check`` returns; callable like the function in unit tests."""

    spec: AssetCheckSpec
    compute: ComputeSignature
    inputs: tuple[AssetInput, ...]
    required_resource_keys: frozenset[str]
    location: str

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def key(self) -> AssetCheckKey:
        return self.spec.key

    @property
    def asset_key(self) -> AssetKey:
        return self.spec.asset_key

    @property
    def node_name(self) -> str:
        return f"{self.asset_key.to_python_identifier()}__{self.name}"

    @property
    def check_keys(self) -> list[AssetCheckKey]:
        return [self.key]

    def upstream_keys(self) -> list[AssetKey]:
        keys = {self.asset_key: None}
        for dep in self.spec.additional_deps:
            keys.setdefault(dep.asset, None)
        for asset_input in self.inputs:
            keys.setdefault(asset_input.key, None)
        return list(keys)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from asset2airflow.authoring.invocation import invoke_directly

        return invoke_directly(self, args, kwargs)

    def __repr__(self) -> str:
        return f"<AssetChecksDefinition {self.key.to_user_string()}>"


_CHECK_KEYWORDS = {
    "config_schema": "read settings from a resource (a ConfigurableResource parameter)",
    "compute_kind": "drop it: kinds describe assets, not their checks",
    "op_tags": "drop it: a check runs in its asset's Airflow task",
    "retry_policy": "give the asset retry_policy=RetryPolicy(...): its check runs in its task",
    "automation_condition": "a check runs whenever its asset does",
    "partitions_def": "a check runs with its asset, for the partition being materialized",
}
"""What to use instead of Dagster's ``@asset_check`` keywords that are not built here."""


def asset_check(
    *,
    asset: CoercibleToAssetDep,
    name: str | None = None,
    description: str | None = None,
    blocking: bool = False,
    additional_ins: Mapping[str, AssetIn] | None = None,
    additional_deps: Iterable[CoercibleToAssetDep] | None = None,
    required_resource_keys: Iterable[str] | None = None,
    metadata: Mapping[str, Any] | None = None,
    **dagster_keywords: Any,
) -> Callable[[Callable[..., Any]], AssetChecksDefinition]:
    """Declare a check on ``asset``. A parameter named after the asset receives its value.

    Return an ``AssetCheckResult``. With ``blocking=True`` a failed ERROR-severity result stops
    everything downstream of the asset. Dagster's other keywords are refused by name.
    """
    refuse_keywords("asset_check", dagster_keywords, _CHECK_KEYWORDS)

    def decorate(fn: Callable[..., Any]) -> AssetChecksDefinition:
        check = check_name(fn.__name__ if name is None else name, "asset check")
        spec = AssetCheckSpec(
            check,
            asset=asset,
            description=description or (fn.__doc__.strip() if fn.__doc__ else None),
            blocking=blocking,
            additional_deps=additional_deps,
            metadata=metadata,
        )
        what = f"asset check {spec.key.to_user_string()!r}"
        compute = read_signature(fn, what)
        extra_ins = dict(additional_ins or {})
        unknown = sorted(set(extra_ins) - set(compute.input_params))
        if unknown:
            raise DefinitionError(
                f"{what} ({compute.location}): additional_ins names {unknown}, which are not "
                "parameters of the function; rename them so they match."
            )
        asset_name = spec.asset_key.name
        inputs = []
        for param in compute.input_params:
            if param in extra_ins:
                asset_in = extra_ins[param]
                key = asset_in.resolve_key(param, spec.asset_key.path[:-1])
                inputs.append(AssetInput(param, key, asset_in))
            elif param == asset_name or len(compute.input_params) - len(extra_ins) == 1:
                inputs.append(AssetInput(param, spec.asset_key, AssetIn(spec.asset_key)))
            else:
                raise DefinitionError(
                    f"{what} ({compute.location}): parameter {param!r} is neither the checked "
                    f"asset (name it {asset_name!r}) nor listed in additional_ins."
                )
        return AssetChecksDefinition(
            spec=spec,
            compute=compute,
            inputs=tuple(inputs),
            required_resource_keys=resource_keys_needed(
                compute,
                list(required_resource_keys or ()),
                {},
                inputs,
            ),
            location=compute.location,
        )

    return decorate
