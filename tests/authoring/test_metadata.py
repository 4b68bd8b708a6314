"""Metadata Airflow cannot store is converted where it is written (or refused naming the asset
and key): what Dagster users write every day, like ``df["x"].mean()`` of an empty column.

Airflow keeps metadata in asset event ``extra`` and XCom, which must pass
``json.dumps(..., allow_nan=False)``; every conversion is checked against exactly that.
"""

from __future__ import annotations

import datetime
import enum
import json
import math
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
import pandas as pd
import pytest

from asset2airflow import (
    AssetCheckResult,
    AssetExecutionContext,
    AssetSpec,
    DefinitionError,
    InvalidMetadataError,
    IOManager,
    MaterializeResult,
    MetadataValue,
    Output,
    TableRecord,
    asset,
    asset_check,
    materialize,
    materialize_to_memory,
)
from asset2airflow.airflow.events import (
    check_to_json,
    ensure_strict_json,
    event_extras,
    outcome_to_json,
)
from asset2airflow.authoring.io_manager import InputContext, OutputContext
from asset2airflow.authoring.metadata import metadata_to_json, normalize_metadata
from asset2airflow.execution.step import StepOutcome


class Tier(enum.Enum):
    GOLD = "gold"


class Level(enum.IntEnum):
    HIGH = 3


class Color(str, enum.Enum):  # str() of a mixin member is "Color.RED", not its value
    RED = "red"


MOMENT = datetime.datetime(2026, 11, 1, 6, 30, tzinfo=datetime.timezone.utc)
MOMENT_JSON = {"type": "timestamp", "value": "2026-11-01T06:30:00+00:00"}
MIDNIGHT_JSON = {"type": "timestamp", "value": "2026-11-01T00:00:00+00:00"}


def stored(value: Any) -> Any:
    """What Airflow keeps of one metadata value: its JSON form through strict JSON."""
    converted = metadata_to_json(normalize_metadata({"k": value}, "asset 'a'"))["k"]
    return json.loads(json.dumps(converted, allow_nan=False))


CONVERSIONS: dict[str, tuple[Callable[[], Any], dict[str, Any]]] = {
    # NaN and infinities: strict JSON has no numbers for them
    "nan": (lambda: float("nan"), {"type": "float", "value": "NaN"}),
    "inf": (lambda: float("inf"), {"type": "float", "value": "Infinity"}),
    "-inf": (lambda: -math.inf, {"type": "float", "value": "-Infinity"}),
    "numpy nan": (lambda: np.float64("nan"), {"type": "float", "value": "NaN"}),
    "mean of empty column": (
        lambda: pd.Series([], dtype=float).mean(),
        {"type": "float", "value": "NaN"},
    ),
    # points in time
    "aware datetime": (lambda: MOMENT, MOMENT_JSON),
    "naive datetime is UTC": (lambda: datetime.datetime(2026, 11, 1, 6, 30), MOMENT_JSON),
    "pandas Timestamp": (lambda: pd.Timestamp("2026-11-01T06:30Z"), MOMENT_JSON),
    "date is UTC midnight": (lambda: datetime.date(2026, 11, 1), MIDNIGHT_JSON),
    "numpy datetime64[ns]": (lambda: np.datetime64("2026-11-01T06:30:00.000000000"), MOMENT_JSON),
    # Decimal
    "Decimal": (lambda: Decimal("9.50"), {"type": "float", "value": 9.5}),
    "Decimal NaN": (lambda: Decimal("NaN"), {"type": "text", "value": "NaN"}),
    "Decimal sNaN": (lambda: Decimal("sNaN"), {"type": "text", "value": "sNaN"}),
    "Decimal -Infinity": (lambda: Decimal("-Infinity"), {"type": "text", "value": "-Infinity"}),
    "Decimal beyond float": (lambda: Decimal("1e400"), {"type": "text", "value": "1E+400"}),
    # numpy
    "numpy int64": (lambda: np.int64(3), {"type": "int", "value": 3}),
    "numpy float32": (lambda: np.float32(0.5), {"type": "float", "value": 0.5}),
    "numpy bool": (lambda: np.bool_(True), {"type": "bool", "value": True}),
    "numpy str": (lambda: np.str_("x"), {"type": "text", "value": "x"}),
    "numpy array": (lambda: np.array([1.0, np.nan]), {"type": "json", "value": [1.0, "NaN"]}),
    "numpy 2-d array": (
        lambda: np.array([[1, 2], [3, 4]]),
        {"type": "json", "value": [[1, 2], [3, 4]]},
    ),
    "numpy 0-d array": (lambda: np.array(2.5), {"type": "float", "value": 2.5}),
    # sets
    "set": (lambda: {"b", "a"}, {"type": "json", "value": ["a", "b"]}),
    "frozenset": (lambda: frozenset({2, 1}), {"type": "json", "value": [1, 2]}),
    # Enum, Path
    "Enum": (lambda: Tier.GOLD, {"type": "text", "value": "gold"}),
    "IntEnum": (lambda: Level.HIGH, {"type": "int", "value": 3}),
    "str Enum": (lambda: Color.RED, {"type": "text", "value": "red"}),
    "Path": (lambda: Path("/data/x"), {"type": "path", "value": "/data/x"}),
    "PurePath": (lambda: PurePosixPath("a/b"), {"type": "path", "value": "a/b"}),
    # missing values
    "pandas NA": (lambda: pd.NA, {"type": "null", "value": None}),
    "pandas NaT": (lambda: pd.NaT, {"type": "null", "value": None}),
    "numpy NaT": (lambda: np.datetime64("NaT"), {"type": "null", "value": None}),
    # everything nested in dict / list / json values
    "nested": (
        lambda: {
            "stats": [float("nan"), {"x": {2, 1}}, -math.inf],
            "when": MOMENT,
            "price": Decimal("1.5"),
            "n": np.int64(2),
            "missing": pd.NA,
            "tier": Tier.GOLD,
            7: "non-str key",
        },
        {
            "type": "json",
            "value": {
                "stats": ["NaN", {"x": [1, 2]}, "-Infinity"],
                "when": "2026-11-01T06:30:00+00:00",
                "price": 1.5,
                "n": 2,
                "missing": None,
                "tier": "gold",
                "7": "non-str key",
            },
        },
    ),
    "MetadataValue.json": (
        lambda: MetadataValue.json({"mean": float("nan"), "tags": {"y", "x"}}),
        {"type": "json", "value": {"mean": "NaN", "tags": ["x", "y"]}},
    ),
    "MetadataValue.table": (
        lambda: MetadataValue.table([TableRecord({"x": float("inf")}), {"at": MOMENT}]),
        {
            "type": "table",
            "value": {
                "records": [{"x": "Infinity"}, {"at": "2026-11-01T06:30:00+00:00"}],
                "schema": None,
            },
        },
    ),
    "MetadataValue.timestamp(seconds)": (
        lambda: MetadataValue.timestamp(MOMENT.timestamp()),
        MOMENT_JSON,
    ),
    "MetadataValue.timestamp(datetime)": (lambda: MetadataValue.timestamp(MOMENT), MOMENT_JSON),
    "MetadataValue built directly with NaN": (
        lambda: MetadataValue("json", {"v": float("nan")}),
        {"type": "json", "value": {"v": "NaN"}},
    ),
}


@pytest.mark.parametrize("name", CONVERSIONS)
def test_value_is_stored_as_readable_strict_json(name: str) -> None:
    make, expected = CONVERSIONS[name]
    assert stored(make()) == expected


def test_non_finite_floats_stay_floats_in_memory() -> None:
    metadata = normalize_metadata(
        {
            "mean": float("nan"),
            "values": np.array([1.0, np.nan]),
            "nested": {"max": math.inf},
            "rows": MetadataValue.table([{"x": -math.inf}]),
        }
    )
    assert math.isnan(metadata["mean"].value)  # what the user's code reads back
    assert math.isnan(metadata["values"].value[1])
    assert metadata["nested"].value == {"max": math.inf}
    assert metadata["rows"].value["records"] == [{"x": -math.inf}]


def test_json_forms_read_back_as_the_values() -> None:
    for value in (float("nan"), math.inf, -math.inf):
        back = MetadataValue.from_json(stored(value))
        assert back.kind == "float" and math.isnan(back.value) == math.isnan(value)
        assert math.isnan(value) or back.value == value
    assert MetadataValue.from_json(stored(MOMENT)) == MetadataValue.timestamp(MOMENT)


def test_timestamp_value_is_posix_seconds_as_in_dagster() -> None:
    assert MetadataValue.timestamp(MOMENT).value == MOMENT.timestamp()
    assert normalize_metadata({"at": MOMENT})["at"] == MetadataValue.timestamp(MOMENT)
    assert MetadataValue.timestamp(0).to_json()["value"] == "1970-01-01T00:00:00+00:00"


@pytest.mark.parametrize("seconds", [float("nan"), math.inf, 1e20])
def test_a_timestamp_that_is_no_point_in_time_fails_where_it_is_written(seconds: float) -> None:
    with pytest.raises(InvalidMetadataError, match="not a point in time"):
        MetadataValue.timestamp(seconds)


UNSTORABLE: dict[str, tuple[Callable[[], Any], str, str]] = {
    # name: (value, key named in the error, what the error says to pass instead)
    "object": (lambda: {"client": object()}, "'client'", "MetadataValue"),
    "function": (lambda: {"fn": len}, "'fn'", "MetadataValue"),
    "DataFrame": (lambda: {"df": pd.DataFrame({"a": [1]})}, "'df'", "to_markdown()"),
    "Series": (lambda: {"s": pd.Series([1, 2])}, "'s'", ".tolist()"),
    "bytes": (lambda: {"raw": b"x"}, "'raw'", "Decode"),
    "timedelta": (lambda: {"took": datetime.timedelta(seconds=3)}, "'took'", "total_seconds"),
    "numpy timedelta64": (lambda: {"took": np.timedelta64(3, "s")}, "'took'", "total_seconds"),
    "complex": (lambda: {"z": 1 + 2j}, "'z'", "MetadataValue"),
    "nested object": (lambda: {"stats": {"a": [1, object()]}}, "'stats.a[1]'", "MetadataValue"),
}


@pytest.mark.parametrize("name", UNSTORABLE)
def test_an_unstorable_value_is_refused_naming_owner_and_key(name: str) -> None:
    make, key, instead = UNSTORABLE[name]
    with pytest.raises(InvalidMetadataError) as raised:
        normalize_metadata(make(), "asset 'sales/raw'")
    message = str(raised.value)
    assert f"metadata {key} of asset 'sales/raw'" in message
    assert instead in message and "\n" not in message  # no DataFrame dump in a log line
    assert isinstance(raised.value, TypeError) and isinstance(raised.value, DefinitionError)


def test_definition_metadata_is_refused_naming_the_asset_and_key() -> None:
    with pytest.raises(DefinitionError, match="'frame' of asset 'sales/raw'.*DataFrame"):

        @asset(key_prefix="sales", metadata={"frame": pd.DataFrame({"a": [1]})})
        def raw() -> int:
            return 1

    with pytest.raises(DefinitionError, match="'owner' of asset 'lake/orders'"):
        AssetSpec(["lake", "orders"], metadata={"owner": object()})

    with pytest.raises(DefinitionError, match="'rule' of asset check 'orders:positive'"):

        @asset_check(asset="orders", metadata={"rule": lambda x: x > 0})
        def positive() -> AssetCheckResult:
            return AssetCheckResult(passed=True)


def test_definition_metadata_is_converted() -> None:
    @asset(metadata={"since": datetime.date(2026, 11, 1), "tags": {"b", "a"}, "nan": math.nan})
    def orders() -> int:
        return 1

    [spec] = orders.specs
    assert metadata_to_json(spec.metadata) == {
        "nan": {"type": "float", "value": "NaN"},
        "since": MIDNIGHT_JSON,
        "tags": {"type": "json", "value": ["a", "b"]},
    }


class _CountingIOManager(IOManager):
    """Stores in memory and reports what it learned, like a real IO manager does."""

    def __init__(self, extra: dict[str, Any] | None = None) -> None:
        self.values: dict[str, Any] = {}
        self.extra = extra or {}

    def handle_output(self, context: OutputContext, obj: Any) -> None:
        self.values[context.asset_key.to_user_string()] = obj
        context.add_output_metadata({"written_at": MOMENT, "rows": np.int64(2), **self.extra})

    def load_input(self, context: InputContext) -> Any:
        return self.values[context.asset_key.to_user_string()]


def test_materialize_with_nan_inf_datetime_decimal_numpy_and_set_metadata() -> None:
    @asset(metadata={"since": MOMENT, "tags": {"b", "a"}})
    def stats(context: AssetExecutionContext) -> MaterializeResult[list[float]]:
        context.add_output_metadata({"seen": {"z", "y"}, "max": math.inf})
        return MaterializeResult(
            value=[1.0],
            metadata={
                "mean": pd.Series([], dtype=float).mean(),
                "low": -math.inf,
                "at": MOMENT,
                "price": Decimal("9.50"),
                "count": np.int64(3),
                "values": np.array([np.nan, 2.0]),
                "tags": {"b", "a"},
            },
        )

    @asset
    def summary(stats: list[float]) -> Output[int]:
        return Output(len(stats), metadata={"ratio": np.float64("nan"), "day": MOMENT.date()})

    @asset_check(asset=stats)
    def stats_are_sane() -> AssetCheckResult:
        return AssetCheckResult(passed=True, metadata={"spread": math.nan, "at": MOMENT})

    manager = _CountingIOManager()
    result = materialize([stats, summary, stats_are_sane], resources={"io_manager": manager})
    assert result.success and manager.values == {"stats": [1.0], "summary": 1}
    [event] = result.asset_materializations_for_node("stats")
    assert math.isnan(event.metadata["mean"].value)  # still a float for the user
    for outcome in result.step_outcomes:
        ensure_strict_json(outcome_to_json(outcome), "test")  # what the operator pushes
    stats_outcome = next(o for o in result.step_outcomes if o.step.name == "stats")
    extra = json.loads(json.dumps(event_extras(stats_outcome)["stats"], allow_nan=False))
    assert {k: v["value"] for k, v in extra["metadata"].items()} == {
        "mean": "NaN",
        "low": "-Infinity",
        "at": "2026-11-01T06:30:00+00:00",
        "price": 9.5,
        "count": 3,
        "values": ["NaN", 2.0],
        "tags": ["a", "b"],
        "seen": ["y", "z"],
        "max": "Infinity",
        "written_at": "2026-11-01T06:30:00+00:00",
        "rows": 2,
    }
    [check] = result.get_asset_check_evaluations()
    assert check_to_json(check)["metadata"]["spread"] == {"type": "float", "value": "NaN"}
    summary_extra = event_extras(next(o for o in result.step_outcomes if o.step.name == "summary"))
    assert summary_extra["summary"]["metadata"]["day"] == MIDNIGHT_JSON


def _unstorable_assets() -> dict[str, tuple[list[Any], dict[str, Any], str]]:
    """name: (definitions, IO manager extra metadata, the owner the error names)."""

    @asset
    def via_output() -> Output[int]:
        return Output(1, metadata={"client": object()})

    @asset
    def via_result() -> MaterializeResult[int]:
        return MaterializeResult(value=1, metadata={"client": object()})

    @asset
    def via_context(context: AssetExecutionContext) -> int:
        context.add_output_metadata({"client": object()})
        return 1

    @asset
    def via_io_manager() -> int:
        return 1

    @asset
    def checked() -> int:
        return 1

    @asset_check(asset=checked)
    def via_check() -> AssetCheckResult:
        return AssetCheckResult(passed=True, metadata={"client": object()})

    return {
        "Output": ([via_output], {}, "asset 'via_output'"),
        "MaterializeResult": ([via_result], {}, "asset 'via_result'"),
        "context.add_output_metadata": ([via_context], {}, "asset 'via_context'"),
        "IO manager": ([via_io_manager], {"client": object()}, "asset 'via_io_manager'"),
        "check result": ([checked, via_check], {}, "asset check 'checked:via_check'"),
    }


@pytest.mark.parametrize("where", list(_unstorable_assets()))
def test_unstorable_output_metadata_fails_the_run_naming_asset_and_key(where: str) -> None:
    definitions, io_extra, owner = _unstorable_assets()[where]
    manager = _CountingIOManager(io_extra)
    result = materialize(definitions, resources={"io_manager": manager}, raise_on_error=False)
    [error] = result.errors
    assert isinstance(error, InvalidMetadataError)
    assert owner in str(error) and "metadata 'client'" in str(error)
    if where in ("Output", "MaterializeResult", "context.add_output_metadata"):
        assert manager.values == {}  # refused before the value was stored


def test_the_last_guard_names_asset_and_key_before_anything_is_pushed() -> None:
    @asset
    def raw() -> MaterializeResult[int]:  # MetadataValue(kind, value) skips conversion
        return MaterializeResult(value=1, metadata={"client": MetadataValue("json", object())})

    [outcome] = materialize_to_memory([raw]).step_outcomes
    for build in (event_extras, outcome_to_json):
        with pytest.raises(InvalidMetadataError, match="metadata 'client' of asset 'raw'"):
            build(outcome)


def test_the_last_guard_names_a_check_and_its_key() -> None:
    @asset
    def raw() -> int:
        return 1

    @asset_check(asset=raw)
    def fine() -> AssetCheckResult:
        return AssetCheckResult(passed=True, metadata={"when": MetadataValue("text", MOMENT)})

    outcomes: list[StepOutcome] = materialize_to_memory([raw, fine]).step_outcomes
    with pytest.raises(InvalidMetadataError, match="metadata 'when' of asset check 'raw:fine'"):
        for outcome in outcomes:
            outcome_to_json(outcome)


def test_the_whole_payload_guard_says_where_it_failed() -> None:
    payload = {"materializations": {"sales/raw": {"partition": float("nan")}}}
    with pytest.raises(InvalidMetadataError, match="step 'x'.*'sales/raw' -> 'partition'"):
        ensure_strict_json(payload, "step 'x'")
    assert ensure_strict_json({"ok": [1, "NaN"]}, "step 'x'") == {"ok": [1, "NaN"]}
