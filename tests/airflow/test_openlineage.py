"""OpenLineage (``asset2airflow[openlineage]``): every asset task reports its upstream assets as
input datasets and what it materialized as output datasets, named by OpenLineage's spec, with
row counts, schema, check results and our metadata as facets. Run for real: the sales pipeline
under ``dag.test()`` with the provider's file transport, events read back from the file."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from asset2airflow import AssetKey, FilesystemIOManager, ParquetIOManager, SQLTableIOManager
from asset2airflow.airflow.openlineage import DatasetName, dataset_name

RUN_SALES = """
import os
from airflow.dag_processing.dagbag import DagBag
bag = DagBag(dag_folder=os.environ["SALES_DAG_FILE"])
assert not bag.import_errors, bag.import_errors
print("STATE", bag.dags["sales"].test().state)
"""


def test_storage_uris_become_datasets_named_by_the_openlineage_spec(tmp_path: Path) -> None:
    key = AssetKey(["analytics", "orders"])
    parquet = ParquetIOManager(base_dir=str(tmp_path)).storage_uri(key)
    assert dataset_name(parquet, "analytics/orders") == DatasetName(
        "file", f"{tmp_path}/analytics/orders.parquet"
    )
    pickles = FilesystemIOManager(base_dir=str(tmp_path / "a b")).storage_uri(AssetKey("x"))
    assert dataset_name(pickles, "x") == DatasetName("file", f"{tmp_path}/a b/x.pickle")

    postgres = SQLTableIOManager(url="postgresql+psycopg2://bob:secret@db.internal:6543/shop")
    assert dataset_name(postgres.storage_uri(key), "analytics/orders") == DatasetName(
        "postgres://db.internal:6543", "shop.analytics.orders"
    )
    no_prefix = SQLTableIOManager(url="postgresql://db.internal/shop").storage_uri(AssetKey("t"))
    assert dataset_name(no_prefix, "t") == DatasetName(
        "postgres://db.internal:5432", "shop.public.t"
    )

    sqlite = SQLTableIOManager(url=f"sqlite:///{tmp_path}/w.db")
    assert dataset_name(sqlite.storage_uri(key), "analytics/orders") == DatasetName(
        f"sqlite://{tmp_path}/w.db", "analytics.orders"
    )
    assert dataset_name(sqlite.storage_uri(AssetKey("t")), "t") == DatasetName(
        f"sqlite://{tmp_path}/w.db", "main.t"
    )
    assert dataset_name("s3://lake/raw/orders.parquet", "o") == DatasetName(
        "s3://lake", "raw/orders.parquet"
    )
    # Nothing known at parse time (an EnvVar base_dir): our namespace and the asset key.
    assert dataset_name("asset2airflow://sales/orders", "sales/orders") == DatasetName(
        "asset2airflow", "sales/orders"
    )
    assert dataset_name(None, "sales/orders") == DatasetName("asset2airflow", "sales/orders")


def complete_events(path: Path) -> dict[str, dict[str, Any]]:
    """The COMPLETE event of each task, by job name (``<dag>.<task>``)."""
    events = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return {e["job"]["name"]: e for e in events if e["eventType"] == "COMPLETE"}


@pytest.mark.integration
def test_sales_pipeline_emits_datasets_metadata_and_checks(
    sales_pipeline_path: Path, asset2airflow_home: Path, tmp_path: Path
) -> None:
    # An Airflow of its own: the session's DB holds other tests' assets of the same names.
    home, dags = tmp_path / "airflow", tmp_path / "airflow" / "dags"
    shutil.copytree(sales_pipeline_path.parent / "data", dags / "data")
    shutil.copy(sales_pipeline_path, dags)
    events_file = tmp_path / "openlineage.jsonl"
    env = {
        **os.environ,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(dags),
        "SALES_DAG_FILE": str(dags / sales_pipeline_path.name),
        "AIRFLOW__OPENLINEAGE__TRANSPORT": json.dumps(
            {"type": "file", "log_file_path": str(events_file), "append": True}
        ),
        "AIRFLOW__OPENLINEAGE__NAMESPACE": "asset2airflow-tests",
    }
    airflow = [sys.executable, "-m", "airflow"]
    subprocess.run([*airflow, "db", "migrate"], env=env, capture_output=True, check=True)
    done = subprocess.run(
        [sys.executable, "-c", RUN_SALES], env=env, capture_output=True, text=True, timeout=300
    )
    assert "STATE success" in done.stdout, done.stdout[-3000:] + done.stderr[-3000:]
    assert "expired" not in done.stdout + done.stderr  # no lineage process hung

    events = complete_events(events_file)
    storage = asset2airflow_home / "storage"
    raw, cleaned, summary = (
        events["sales.raw_sales"],
        events["sales.cleaned_sales"],
        events["sales.daily_sales_summary"],
    )
    assert raw["job"]["namespace"] == "asset2airflow-tests"
    assert raw["inputs"] == []
    assert [(d["namespace"], d["name"]) for d in cleaned["inputs"]] == [
        ("file", f"{storage}/raw_sales.parquet")
    ]
    assert [(d["namespace"], d["name"]) for d in summary["inputs"]] == [
        ("file", f"{storage}/cleaned_sales.parquet")
    ]
    [raw_out] = raw["outputs"]
    assert (raw_out["namespace"], raw_out["name"]) == ("file", f"{storage}/raw_sales.parquet")
    assert raw_out["outputFacets"]["outputStatistics"]["rowCount"] == 9
    assert raw_out["outputFacets"]["outputStatistics"]["size"] == (
        (storage / "raw_sales.parquet").stat().st_size
    )
    ours = raw_out["facets"]["asset2airflow"]
    assert ours["assetKey"] == "raw_sales" and "partition" not in ours  # None: left out
    assert ours["metadata"]["row_count"] == {"type": "int", "value": 9}

    [cleaned_out] = cleaned["outputs"]
    columns = [(f["name"], f["type"]) for f in cleaned_out["facets"]["schema"]["fields"]]
    assert columns == [
        ("order_id", "int64"),
        ("order_date", "large_string"),
        ("region", "large_string"),
        ("amount", "double"),
    ]
    [assertion] = cleaned_out["facets"]["dataQualityAssertions"]["assertions"]
    assert assertion["assertion"] == "amounts_are_positive" and assertion["success"] is True
    assert assertion["severity"] == "error"

    [summary_out] = summary["outputs"]
    assert summary_out["facets"]["asset2airflow"]["metadata"]["days"]["value"] == 3
    assert "dataQualityAssertions" not in summary_out["facets"]
