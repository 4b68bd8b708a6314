"""What generated tasks tell the plugin through the serialized DAG (``asset_docs``): each
asset's description, owners, kinds, checks and partitions definition, rebuilt to the same keys."""

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
from asset2airflow.airflow.asset_docs import (
    dynamic_names_in,
    parse_asset_docs,
    partitions_from_json,
    partitions_to_json,
)
from asset2airflow.authoring.dynamic_partitions import DagsterInstance, dynamic_partitions_store
from asset2airflow.authoring.partitions import PartitionsDefinition

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


def test_unknown_shapes_are_ignored() -> None:
    assert parse_asset_docs(None) == [] and parse_asset_docs("not json") == []
    assert parse_asset_docs(json.dumps({"version": 99, "assets": [{"key": "a"}]})) == []
    assert partitions_from_json({"type": "other", "repr": "X()"}) is None
    assert partitions_to_json(None) is None


@pytest.mark.integration
def test_generated_tasks_serialize_their_asset_docs_identically(
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
    [raw] = parse_asset_docs(tasks["raw_sales"]["asset_docs"])
    assert raw["description"] == "Extract raw sales records from the source CSV."
    assert (raw["owners"], raw["kinds"], raw["checks"]) == (
        ["data-team@example.com"],
        ["pandas"],
        [],
    )
    [cleaned] = parse_asset_docs(tasks["cleaned_sales"]["asset_docs"])
    assert cleaned["checks"] == [
        {
            "name": "amounts_are_positive",
            "blocking": True,
            "description": "Every cleaned sale has a positive amount.",
        }
    ]
    assert json.dumps(first, sort_keys=True, default=str) == json.dumps(
        again, sort_keys=True, default=str
    )
    # Deserialized (what the scheduler and api-server hold) the field is still there.
    restored = DagSerialization.from_dict(json.loads(json.dumps(first, default=str)))
    assert restored.get_task("cleaned_sales").asset_docs == tasks["cleaned_sales"]["asset_docs"]
