"""``define_asset_job``: a named selection of assets, run together (in Airflow: one DAG)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from asset2airflow.definitions.names import check_name
from asset2airflow.definitions.selection import AssetSelection, coerce_selection
from asset2airflow.errors import DefinitionError


@dataclass(frozen=True)
class AssetJobDefinition:
    """What ``define_asset_job`` returns; ``name`` becomes the Airflow DAG id."""

    name: str
    selection: AssetSelection
    description: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)


def define_asset_job(
    name: str,
    selection: str | Iterable[Any] | AssetSelection = "*",
    description: str | None = None,
    tags: Mapping[str, str] | None = None,
    config: Mapping[str, Any] | None = None,
) -> AssetJobDefinition:
    """Group assets into a job (default: all assets). Each job is compiled to one DAG.

    ``config`` (default run config) is not built yet and is refused rather than ignored.
    """
    if config is not None:
        raise DefinitionError(
            f"define_asset_job({name!r}, config=...) is not built yet: job-level default config "
            "comes with the ops/jobs work. Give the assets' Config fields defaults instead; "
            "they become the defaults of the DAG's trigger form."
        )
    return AssetJobDefinition(
        name=check_name(name, "job"),
        selection=coerce_selection(selection),
        description=description,
        tags=dict(tags or {}),
    )
