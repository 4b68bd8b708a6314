"""Metadata Airflow cannot store is converted where it is written (or refused naming the asset
and key): what Dagster users write every day, like ``df.mean()`` of an empty column."""

from __future__ import annotations

import datetime
import enum
import json
import math
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from asset2airflow import (
    AssetExecutionContext,
    InvalidMetadataError,
    MaterializeResult,
    MetadataValue,
    Output,
    asset,
    materialize_to_memory,
)
from asset2airflow.airflow.events import ensure_strict_json, event_extras
from asset2airflow.definitions.metadata import metadata_to_json, normalize_metadata


class Tier(enum.Enum):
    GOLD = "gold"


MOMENT = datetime.datetime(2026, 11, 1, 6, 30, tzinfo=datetime.timezone.utc)


def strict(metadata: dict[str, Any]) -> dict[str, Any]:
    converted = metadata_to_json(normalize_metadata(metadata))
    return dict(json.loads(json.dumps(converted, allow_nan=False)))


def test_everyday_values_become_strict_json() -> None:
    converted = strict(
        {
            "mean": float("nan"),
            "max": float("inf"),
            "min": -math.inf,
            "empty_mean": pd.Series([], dtype=float).mean(),
            "at": MOMENT,
            "naive": datetime.datetime(2026, 11, 1, 6, 30),
            "pandas_at": pd.Timestamp("2026-11-01T06:30Z"),
            "day": datetime.date(2026, 11, 1),
            "price": Decimal("9.50"),
            "count": np.int64(3),
            "ratio": np.float32(0.5),
            "flag": np.bool_(True),
            "values": np.array([1.0, np.nan]),
            "tags": {"b", "a"},
            "tier": Tier.GOLD,
            "where": Path("/data/x"),
            "missing": pd.NA,
            "not_a_time": pd.NaT,
            "nested": {"stats": [float("nan"), {"x": {1, 2}}], "when": MOMENT},
        }
    )
    assert converted["mean"] == {"type": "float", "value": "NaN"}
    assert converted["empty_mean"] == {"type": "float", "value": "NaN"}
    assert converted["max"]["value"] == "Infinity" and converted["min"]["value"] == "-Infinity"
    assert converted["at"] == {"type": "timestamp", "value": "2026-11-01T06:30:00+00:00"}
    assert converted["naive"] == converted["at"] == converted["pandas_at"]  # naive = UTC
    assert converted["day"] == {"type": "text", "value": "2026-11-01"}
    assert converted["price"] == {"type": "float", "value": 9.5}
    assert converted["count"] == {"type": "int", "value": 3}
    assert converted["ratio"] == {"type": "float", "value": 0.5}
    assert converted["flag"] == {"type": "bool", "value": True}
    assert converted["values"] == {"type": "json", "value": [1.0, "NaN"]}
    assert converted["tags"] == {"type": "json", "value": ["a", "b"]}
    assert converted["tier"] == {"type": "text", "value": "gold"}
    assert converted["where"] == {"type": "path", "value": "/data/x"}
    assert converted["missing"] == converted["not_a_time"] == {"type": "null", "value": None}
    assert converted["nested"]["value"] == {
        "stats": ["NaN", {"x": [1, 2]}],
        "when": "2026-11-01T06:30:00+00:00",
    }


def test_values_stay_what_the_user_gave_in_memory() -> None:
    metadata = normalize_metadata({"mean": float("nan"), "at": MOMENT})
    assert math.isnan(metadata["mean"].value)
    assert metadata["at"].value == MOMENT.timestamp()  # POSIX seconds, as in Dagster
    back = MetadataValue.from_json(metadata["mean"].to_json())
    assert back.kind == "float" and math.isnan(back.value)
    assert MetadataValue.from_json(metadata["at"].to_json()).value == MOMENT.timestamp()
    table = MetadataValue.table([{"x": float("nan")}]).to_json()
    assert json.dumps(table, allow_nan=False)


def test_an_unstorable_value_is_refused_naming_the_asset_and_the_key() -> None:
    with pytest.raises(InvalidMetadataError, match="'frame' of asset 'sales/raw'.*DataFrame"):

        @asset(key_prefix="sales", metadata={"frame": pd.DataFrame({"a": [1]})})
        def raw() -> int:
            return 1


def test_output_metadata_with_nan_datetime_and_sets_materializes() -> None:
    @asset
    def stats(context: AssetExecutionContext) -> MaterializeResult:
        context.add_output_metadata({"seen": {"z", "y"}})
        return MaterializeResult(
            value=1, metadata={"mean": pd.Series([], dtype=float).mean(), "at": MOMENT}
        )

    result = materialize_to_memory([stats])
    [materialization] = result.asset_materializations_for_node("stats")
    converted = metadata_to_json(materialization.metadata)
    assert converted["mean"]["value"] == "NaN" and converted["seen"]["value"] == ["y", "z"]
    [outcome] = result.step_outcomes
    ensure_strict_json(event_extras(outcome), "step 'stats'")


def test_unstorable_output_metadata_fails_the_asset_naming_it_and_the_key() -> None:
    @asset
    def broken() -> Output[int]:
        return Output(1, metadata={"client": object()})

    result = materialize_to_memory([broken], raise_on_error=False)
    [error] = result.errors
    assert isinstance(error, InvalidMetadataError)
    assert "asset 'broken'" in str(error) and "metadata 'client'" in str(error)


def test_the_last_guard_names_the_step_when_json_is_still_not_strict() -> None:
    with pytest.raises(InvalidMetadataError, match="step 'x'"):
        ensure_strict_json({"v": {"type": "float", "value": float("nan")}}, "step 'x'")
