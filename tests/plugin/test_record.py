"""The record (``asset2airflow.airflow.record``): every field of the static asset record, the
run record and the event extra survives ``to_json``/``from_json``; version-1 shapes (what
asset2airflow wrote before the record) are still read; a newer version says which it needs; and
generated tasks publish their record (with every upstream key) identically on every parse."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from asset2airflow import (
    DailyPartitionsDefinition,
    DynamicPartitionsDefinition,
    HourlyPartitionsDefinition,
    MonthlyPartitionsDefinition,
    MultiPartitionsDefinition,
    StaticPartitionsDefinition,
    WeeklyPartitionsDefinition,
)
from asset2airflow.airflow.record import (
    AssetRecord,
    AssetRun,
    AssetStatus,
    CheckDefinition,
    CheckRecord,
    EventExtra,
    RecordError,
    RunRecord,
    TaskKind,
    TaskRecord,
    TryOutcome,
    dynamic_names_in,
    partitions_from_json,
    partitions_to_json,
)
from asset2airflow.authoring.dynamic_partitions import DagsterInstance, dynamic_partitions_store
from asset2airflow.authoring.partitions import PartitionsDefinition
from asset2airflow.authoring.results import AssetCheckSeverity

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "definition",
    [
        DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-03-01"),
        HourlyPartitionsDefinition(
            start_date="2024-03-30-00:00", timezone="Europe/Paris", end_date="2024-04-02-00:00"
        ),
        WeeklyPartitionsDefinition(
            start_date="2024-01-01", day_offset=1, end_offset=1, end_date="2024-06-01"
        ),
        MonthlyPartitionsDefinition(start_date="2023-01-01", end_date="2024-06-01"),
        StaticPartitionsDefinition(["eu", "us", "../x"]),
        MultiPartitionsDefinition(
            {
                "day": DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-05"),
                "region": StaticPartitionsDefinition(["eu", "us"]),
            }
        ),
    ],
    ids=["daily", "hourly-paris-dst", "weekly-monday-offset", "monthly", "static", "multi"],
)
def test_partitions_round_trip_through_json_to_the_same_keys(
    definition: PartitionsDefinition,
) -> None:
    data = json.loads(json.dumps(partitions_to_json(definition)))
    rebuilt = partitions_from_json(data)
    assert rebuilt is not None
    assert rebuilt.get_partition_keys() == definition.get_partition_keys()


def test_dynamic_partitions_keep_their_name_and_read_keys_from_a_store() -> None:
    data = partitions_to_json(DynamicPartitionsDefinition("uploads"))
    assert data == {"type": "dynamic", "name": "uploads"}
    assert dynamic_names_in(data) == ["uploads"]
    multi = partitions_to_json(
        MultiPartitionsDefinition(
            {
                "file": DynamicPartitionsDefinition("uploads"),
                "kind": StaticPartitionsDefinition(["a"]),
            }
        )
    )
    assert dynamic_names_in(multi) == ["uploads"]
    store = DagsterInstance()
    store.add_dynamic_partitions("uploads", ["x.csv", "y.csv"])
    rebuilt = partitions_from_json(multi)
    assert rebuilt is not None
    with dynamic_partitions_store(store):
        assert rebuilt.get_partition_keys() == ["x.csv|a", "y.csv|a"]


CHECK = CheckRecord(
    asset="sales/clean",
    name="positive",
    passed=False,
    severity=AssetCheckSeverity.WARN,
    blocking=True,
    description="no negative amounts",
    metadata={"bad_rows": {"type": "int", "value": 2}},
    partition="2024-01-02",
)
ASSET = AssetRecord(
    key="sales/clean",
    group="sales",
    description="Cleaned sales.",
    owners=("team@example.com",),
    kinds=("pandas",),
    tags={"tier": "gold"},
    code_version="v2",
    uri="file:///data/sales/clean.parquet",
    partitions=partitions_to_json(DailyPartitionsDefinition(start_date="2024-01-01")),
    checks=(CheckDefinition("positive", True, "no negative amounts"),),
    upstream=("other_file/raw", "sales/raw"),
)
RUN = RunRecord(
    execution=TaskKind.FUSED,
    task_id="materialize",
    try_number=2,
    partition="2024-01-02",
    outcome=TryOutcome.FAILED,
    assets=(
        AssetRun(
            "sales/clean",
            AssetStatus.BLOCKED,
            "2024-01-02",
            2,
            error="a blocking check failed",
            metadata={"rows": {"type": "int", "value": 5}},
            checks=(CHECK,),
            code_version="v2",
            data_version="abc",
            duration_seconds=0.25,
        ),
        AssetRun("sales/raw", AssetStatus.MATERIALIZED, "2024-01-02", 1),
        AssetRun("sales/x", AssetStatus.NOT_SELECTED, "2024-01-02", 2),
    ),
    error="clean: blocking check failed",
    duration_seconds=1.5,
)


def _through_json(data: Any) -> Any:
    return json.loads(json.dumps(data, allow_nan=False))


def test_every_field_of_every_record_round_trips_through_json() -> None:
    task = TaskRecord(TaskKind.PER_ASSET, (ASSET,))
    assert TaskRecord.from_json(task.to_json()) == task
    assert RunRecord.from_json(_through_json(RUN.to_json())) == RUN
    extra = RUN.assets[0].event_extra()
    assert EventExtra.from_json(_through_json(extra.to_json())) == extra
    assert (extra.partition, extra.checks, extra.code_version) == ("2024-01-02", (CHECK,), "v2")
    # Every enum member survives too.
    for status in AssetStatus:
        run = AssetRun("a", status, None, 1)
        assert AssetRun.from_json("a", _through_json(run.to_json())) == run
    for mode in TaskKind:
        assert TaskRecord.from_json(TaskRecord(mode, ()).to_json()).execution is mode


def test_the_static_record_serializes_with_sorted_keys_the_same_every_time() -> None:
    task = TaskRecord(TaskKind.FUSED, (ASSET,))
    text = task.to_json()
    assert text == TaskRecord.from_json(text).to_json()
    assert list(json.loads(text)["assets"][0]) == sorted(json.loads(text)["assets"][0])


def test_version_1_records_are_still_read() -> None:
    old_docs = {
        "version": 1,
        "assets": [
            {
                "key": "a",
                "description": None,
                "owners": [],
                "kinds": ["python"],
                "tags": {},
                "code_version": None,
                "partitions": None,
                "checks": [{"name": "c", "description": None, "blocking": True}],
            }
        ],
    }
    [asset] = TaskRecord.from_json(json.dumps(old_docs)).assets
    assert asset.upstream is None and asset.checks == (CheckDefinition("c", True, None),)
    old_check = {
        "asset": "a",
        "name": "c",
        "passed": False,
        "severity": "ERROR",
        "blocking": True,
        "description": None,
        "metadata": {},
    }
    old_extra = {"metadata": {}, "checks": [old_check], "partition": "p1", "code_version": "v1"}
    extra = EventExtra.from_json(old_extra)
    assert extra.checks[0].partition == "p1" and extra.data_version is None
    per_asset = {
        "step": "a",
        "materializations": {"a": old_extra},
        "checks": [old_check],
        "error": None,
        "duration_seconds": 0.5,
    }
    record = RunRecord.from_json(per_asset)
    assert record.execution is TaskKind.PER_ASSET and record.partition == "p1"
    assert [(a.key, a.status) for a in record.assets] == [("a", AssetStatus.MATERIALIZED)]
    blocked = dict(per_asset, materializations={}, error="blocking check failed")
    assert RunRecord.from_json(blocked).assets[0].status is AssetStatus.BLOCKED
    fused = {
        "step": "materialize",
        "execution": "fused",
        "try_number": 2,
        "materializations": {},
        "checks": [],
        "error": "b: boom",
        "duration_seconds": 1,
        "assets": {"b": {"status": "failed", "try_number": 2, "error": "boom"}},
    }
    [b] = RunRecord.from_json(fused).assets
    assert (b.status, b.try_number, b.error) == (AssetStatus.FAILED, 2, "boom")
    assert RunRecord.from_json(fused).execution is TaskKind.FUSED


def test_a_newer_or_broken_record_raises_our_error_naming_the_version_or_field() -> None:
    with pytest.raises(
        RecordError, match="record version 99; this asset2airflow reads versions 1 to 2"
    ):
        TaskRecord.from_json(json.dumps({"version": 99, "assets": []}))
    with pytest.raises(RecordError, match="version 3"):
        RunRecord.from_json({**RUN.to_json(), "version": 3})
    broken = RUN.to_json()
    del broken["assets"]["sales/raw"]["status"]
    with pytest.raises(RecordError, match="asset 'sales/raw'.*'status' is missing"):
        RunRecord.from_json(broken)
    with pytest.raises(RecordError, match="not JSON"):
        TaskRecord.from_json("not json")
    assert EventExtra.read({"asset2airflow_partitions": ["x"]}) is None  # not ours
    assert partitions_from_json({"type": "other", "repr": "X()"}) is None
    assert partitions_to_json(None) is None


@pytest.mark.integration
def test_generated_tasks_serialize_their_record_identically(
    load_dag_file: Callable[..., dict[str, Any]],
) -> None:
    from airflow.serialization.serialized_objects import DagSerialization

    source = (REPO / "dags" / "sales_pipeline.py").read_text()
    source = source.replace(
        'Path(__file__).parent / "data" / "sales.csv"',
        f'Path({str(REPO / "dags")!r}) / "data" / "sales.csv"',
    )
    dag = load_dag_file("docs_sales.py", source)["sales"]
    first = DagSerialization.to_dict(dag)
    again = DagSerialization.to_dict(load_dag_file("docs_sales.py", source)["sales"])
    tasks = {t["__var"]["task_id"]: t["__var"] for t in first["dag"]["tasks"]}
    [raw] = TaskRecord.from_json(tasks["raw_sales"]["asset_docs"]).assets
    assert raw.description == "Extract raw sales records from the source CSV."
    assert (raw.owners, raw.kinds, raw.checks, raw.upstream) == (
        ("data-team@example.com",),
        ("pandas",),
        (),
        (),
    )
    assert raw.group == "sales" and raw.uri
    record = TaskRecord.from_json(tasks["cleaned_sales"]["asset_docs"])
    [cleaned] = record.assets
    assert record.execution is TaskKind.PER_ASSET
    assert cleaned.upstream == ("raw_sales",)
    assert cleaned.checks == (
        CheckDefinition("amounts_are_positive", True, "Every cleaned sale has a positive amount."),
    )
    assert json.dumps(first, sort_keys=True, default=str) == json.dumps(
        again, sort_keys=True, default=str
    )
    # Deserialized (what the scheduler and api-server hold) the field is still there.
    restored = DagSerialization.from_dict(json.loads(json.dumps(first, default=str)))
    assert restored.get_task("cleaned_sales").asset_docs == tasks["cleaned_sales"]["asset_docs"]


def test_a_version_1_fused_resume_record_still_resumes() -> None:
    from asset2airflow.airflow.fused_report import EarlierTries

    extra = {"metadata": {}, "checks": [], "partition": None}
    old = {"outcome": "failed", "materialized": {"a": {"extra": extra, "try_number": 1}}}
    earlier = EarlierTries.from_record(old)
    assert earlier.try_numbers == {"a": 1}
    assert earlier.extras["a"] == EventExtra(None, {}, ())
    assert EarlierTries.from_record({**old, "outcome": "success"}).extras == {}
