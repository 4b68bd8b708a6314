"""The on-disk layout shared by file-based IO managers (Dagster's): ``base/<key path>`` and, for a
partition, ``base/<key path>/<partition key>``; an optional suffix such as ``.parquet``."""

from __future__ import annotations

from pathlib import Path

from asset2airflow.definitions.keys import AssetKey
from asset2airflow.errors import MissingUpstreamValueError


def asset_path(base: Path, key: AssetKey, partition: str | None, suffix: str = "") -> Path:
    if partition is None:
        return base.joinpath(*key.path[:-1], key.path[-1] + suffix)
    return base.joinpath(*key.path, partition + suffix)


def missing_value(key: AssetKey, partition: str | None, where: object) -> MissingUpstreamValueError:
    part = f" partition {partition!r} of" if partition is not None else ""
    return MissingUpstreamValueError(
        f"no stored value for{part} asset {key.to_user_string()!r} (looked in {where}); "
        f"materialize {key.to_user_string()!r} first"
    )
