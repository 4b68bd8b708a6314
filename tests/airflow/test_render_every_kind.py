"""``asset2airflow render`` writes every DAG ``build_dags`` builds, and the rendered files make
the same Airflow DAGs: one module using every feature (time and static partitions, a
partition-mapped downstream, an op job fanning out over a ``DynamicOut``, a cron schedule that
is a job's timetable, a schedule function, a sensor, an asset sensor, a run failure sensor, a
fused job) is rendered, the rendered folder and a ``build_dags`` file are each parsed by a real
DagBag in a fresh process, and Airflow's serialized DAGs are compared."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

from tests.airflow.test_parsing import parse_folder, render

pytestmark = pytest.mark.integration

EVERY_FEATURE = """
from asset2airflow import (
    Config, DailyPartitionsDefinition, Definitions, DynamicOut, DynamicOutput, RetryPolicy,
    RunRequest, ScheduleDefinition, StaticPartitionsDefinition, asset, asset_sensor,
    define_asset_job, job, op, run_failure_sensor, schedule, sensor,
)

days = DailyPartitionsDefinition(start_date="2024-01-01", timezone="Europe/Paris")
regions = StaticPartitionsDefinition(["eu", "us"])


class Window(Config):
    days: int = 7


@asset(group_name="ev_raw", partitions_def=days, retry_policy=RetryPolicy(max_retries=2, delay=3))
def ev_orders() -> int:
    return 1


@asset(group_name="ev_marts", partitions_def=days)
def ev_daily_total(ev_orders: int) -> int:
    return ev_orders


@asset(group_name="ev_regions", partitions_def=regions)
def ev_region_sales() -> int:
    return 2


@asset(group_name="ev_plain")
def ev_customers(config: Window) -> int:
    return config.days


@asset(group_name="ev_plain")
def ev_report(ev_customers: int) -> int:
    return ev_customers


@asset(group_name="ev_fused")
def ev_a() -> int:
    return 1


@asset(group_name="ev_fused")
def ev_b(ev_a: int) -> int:
    return ev_a + 1


fused_job = define_asset_job("ev_fused_job", selection=[ev_a, ev_b], execution="fused")
plain_job = define_asset_job("ev_plain_job", selection=[ev_customers, ev_report])
region_job = define_asset_job("ev_region_job", selection=[ev_region_sales])


@op(out=DynamicOut(str))
def ev_list_files():
    for name in ["a", "b"]:
        yield DynamicOutput(name, mapping_key=name)


@op(retry_policy=RetryPolicy(max_retries=1, delay=2))
def ev_process(item: str) -> str:
    return item.upper()


@op
def ev_merge(items: list) -> str:
    return ",".join(items)


@job(tags={"team": "data"})
def ev_files_job():
    ev_merge(ev_list_files().map(ev_process).collect())


nightly = ScheduleDefinition(
    name="ev_nightly",
    job=plain_job,
    cron_schedule="0 3 * * *",
    run_config={"ops": {"ev_customers": {"config": {"days": 3}}}},
)


@schedule(cron_schedule="0 * * * *", job=region_job)
def ev_hourly_regions(context):
    return [RunRequest(partition_key=key) for key in ["eu", "us"]]


@sensor(job=ev_files_job, minimum_interval_seconds=90)
def ev_inbox(context):
    return None


@asset_sensor(asset_key="ev_report", job=fused_job)
def ev_on_report(context, event):
    return RunRequest()


@run_failure_sensor
def ev_failures(context):
    return None


defs = Definitions(
    assets=[ev_orders, ev_daily_total, ev_region_sales, ev_customers, ev_report, ev_a, ev_b],
    jobs=[fused_job, plain_job, region_job, ev_files_job],
    schedules=[nightly, ev_hourly_regions],
    sensors=[ev_inbox, ev_on_report, ev_failures],
)
"""

EXPECTED_DAGS = [
    "ev_files_job",  # op job, mapped task over a DynamicOut
    "ev_fused_job",  # fused
    "ev_hourly_regions",  # schedule DAG
    "ev_inbox",  # sensor DAG
    "ev_marts",  # partitioned, through a mapper from ev_raw
    "ev_on_report",  # asset sensor DAG
    "ev_plain_job",  # on the merged cron schedule, with config params
    "ev_raw",  # time partitions
    "ev_region_job",  # static partitions, chosen at run time
]

# Where the DAG was parsed from: the rendered file or the build_dags file.
_LOCATION_FIELDS = {"fileloc", "relative_fileloc", "_processor_dags_folder"}


def _comparable(serialized: str) -> Any:
    """A DAG's serialized form without the fields naming the file it was parsed from."""

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k not in _LOCATION_FIELDS}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    dag: dict[str, Any] = strip(json.loads(serialized))
    dag["tasks"] = sorted(dag["tasks"], key=lambda task: task["__var"]["task_id"])
    return dag


def test_rendered_files_and_build_dags_serialize_to_the_same_dags(tmp_path: Path) -> None:
    source = tmp_path / "src" / "every_feature.py"
    source.parent.mkdir()
    source.write_text(textwrap.dedent(EVERY_FEATURE))
    built_folder, rendered_folder = tmp_path / "built", tmp_path / "rendered"
    built_folder.mkdir()
    (built_folder / "every_feature_dags.py").write_text(
        "from pathlib import Path\n"
        "from asset2airflow.airflow import build_dags\n"
        "from asset2airflow.loading import definitions_in, import_file\n"
        f"build_dags(definitions_in(import_file(Path({str(source)!r})), 'every_feature'))\n"
    )
    render(source, rendered_folder)

    built, rendered = parse_folder(built_folder), parse_folder(rendered_folder)
    assert built["errors"] == {} and rendered["errors"] == {}
    assert built["dags"] == EXPECTED_DAGS
    assert sorted(p.name for p in rendered_folder.glob("*.py")) == [
        f"{dag_id}_dag.py" for dag_id in EXPECTED_DAGS
    ]
    assert rendered["dags"] == built["dags"]
    for dag_id in EXPECTED_DAGS:
        assert _comparable(rendered["serialized"][dag_id]) == _comparable(
            built["serialized"][dag_id]
        ), dag_id

    # The features are really there (the comparison is not of two empty DAGs).
    files_job = _comparable(built["serialized"]["ev_files_job"])
    tasks = {t["__var"]["task_id"]: t for t in files_job["tasks"]}
    assert tasks["ev_process"]["__var"]["_is_mapped"] is True
    plain = _comparable(built["serialized"]["ev_plain_job"])
    assert plain["has_on_failure_callback"] is True
    assert "CronTriggerTimetable" in json.dumps(plain["timetable"])
    assert "DeltaTriggerTimetable" in json.dumps(_comparable(built["serialized"]["ev_inbox"]))
    assert "PartitionedAssetTimetable" in json.dumps(
        _comparable(built["serialized"]["ev_marts"])["timetable"]
    )
    fused = _comparable(built["serialized"]["ev_fused_job"])
    assert [t["__var"]["task_id"] for t in fused["tasks"]] == ["materialize"]
