"""Turning what an asset function returned or yielded into per-output values and check results.

Accepted shapes, as in Dagster: a plain value, ``Output``, ``MaterializeResult`` (with or without
a value), a tuple of those in output order (multi-assets), or a generator yielding ``Output`` /
``MaterializeResult`` / ``AssetCheckResult``.
"""

from __future__ import annotations

import types
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from asset2airflow.authoring.assets import AssetsDefinition
from asset2airflow.authoring.metadata import MetadataValue
from asset2airflow.authoring.results import AssetCheckResult, MaterializeResult, Output
from asset2airflow.errors import OutputMismatchError

NO_VALUE: Any = object()


class YieldedItems(list[Any]):
    """What a generator asset yielded, collected while its code ran (so its errors are the
    asset's errors and its retries apply)."""


@dataclass
class ProducedOutput:
    output_name: str
    value: Any = NO_VALUE
    metadata: dict[str, MetadataValue] = field(default_factory=dict)
    data_version: str | None = None

    @property
    def has_value(self) -> bool:
        return self.value is not NO_VALUE


def _from_item(
    item: Any, assets_def: AssetsDefinition, default_output: str | None
) -> ProducedOutput | AssetCheckResult:
    if isinstance(item, AssetCheckResult):
        return item
    if isinstance(item, Output):
        name = item.output_name if assets_def.is_multi else default_output or item.output_name
        return ProducedOutput(name, item.value, dict(item.metadata))
    if isinstance(item, MaterializeResult):
        if item.asset_key is not None:
            try:
                name = assets_def.output_name_for(item.asset_key)
            except KeyError:
                raise OutputMismatchError(
                    f"asset {assets_def.node_name!r} returned a MaterializeResult for "
                    f"{item.asset_key.to_user_string()!r}, which it does not produce; it produces "
                    f"{[k.to_user_string() for k in assets_def.keys]}"
                ) from None
        elif default_output is not None:
            name = default_output
        else:
            raise OutputMismatchError(
                f"multi_asset {assets_def.node_name!r} returned a MaterializeResult without "
                "asset_key; set asset_key= so it is clear which asset it is for"
            )
        value = item.value if item.has_value else NO_VALUE
        return ProducedOutput(name, value, dict(item.metadata), item.data_version)
    if default_output is None:
        raise OutputMismatchError(
            f"multi_asset {assets_def.node_name!r} yielded a bare {type(item).__name__}; yield "
            "Output(value, output_name=...) or MaterializeResult(asset_key=...) instead"
        )
    return ProducedOutput(default_output, item)


def normalize_outputs(
    returned: Any, assets_def: AssetsDefinition, selected_outputs: Sequence[str]
) -> tuple[list[ProducedOutput], list[AssetCheckResult]]:
    """Split a function's result into outputs and check results, checking they match."""
    single = selected_outputs[0] if len(assets_def.specs_by_output) == 1 else None
    if isinstance(returned, (types.GeneratorType, YieldedItems)):
        items = list(returned)
    elif single is None and isinstance(returned, tuple):
        if len(returned) != len(selected_outputs):
            raise OutputMismatchError(
                f"multi_asset {assets_def.node_name!r} returned {len(returned)} values but "
                f"produces {len(selected_outputs)} outputs {list(selected_outputs)} in this run; "
                "return one value per output, in the order of outs"
            )
        items = [
            Output(v, output_name=n) if not isinstance(v, (Output, MaterializeResult)) else v
            for n, v in zip(selected_outputs, returned, strict=True)
        ]
    elif single is None and returned is None:
        items = []
    else:
        items = [returned]
    outputs: list[ProducedOutput] = []
    checks: list[AssetCheckResult] = []
    for item in items:
        produced = _from_item(item, assets_def, single)
        if isinstance(produced, AssetCheckResult):
            checks.append(produced)
        else:
            outputs.append(produced)
        if isinstance(item, MaterializeResult):
            checks.extend(item.check_results)
    _check_outputs_match(outputs, assets_def, selected_outputs)
    return outputs, checks


def _check_outputs_match(
    outputs: Sequence[ProducedOutput], assets_def: AssetsDefinition, selected: Sequence[str]
) -> None:
    names = [o.output_name for o in outputs]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    unexpected = sorted(set(names) - set(selected))
    required = [n for n in selected if not assets_def.specs_by_output[n].skippable]
    missing = [n for n in required if n not in names]
    if duplicated or unexpected or missing:
        problems = []
        if missing:
            problems.append(f"missing outputs {missing}")
        if unexpected:
            problems.append(f"unexpected outputs {unexpected}")
        if duplicated:
            problems.append(f"outputs produced twice {duplicated}")
        raise OutputMismatchError(
            f"asset {assets_def.node_name!r} produced the wrong outputs ({'; '.join(problems)}); "
            f"it must produce {list(selected)}"
        )
