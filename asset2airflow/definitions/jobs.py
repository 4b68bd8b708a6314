"""``define_asset_job``: a named selection of assets, run together (in Airflow: one DAG)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from asset2airflow.definitions.names import check_name
from asset2airflow.definitions.selection import AssetSelection, coerce_selection


@dataclass(frozen=True)
class AssetJobDefinition:
    """What ``define_asset_job`` returns; ``name`` becomes the Airflow DAG id."""

    name: str
    selection: AssetSelection
    description: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)
    config: Mapping[str, Any] | None = None


def define_asset_job(
    name: str,
    selection: str | Iterable[Any] | AssetSelection = "*",
    description: str | None = None,
    tags: Mapping[str, str] | None = None,
    config: Mapping[str, Any] | None = None,
) -> AssetJobDefinition:
    """Group assets into a job (default: all assets). Each job is compiled to one DAG."""
    return AssetJobDefinition(
        name=check_name(name, "job"),
        selection=coerce_selection(selection),
        description=description,
        tags=dict(tags or {}),
        config=config,
    )
