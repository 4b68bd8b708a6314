"""A schedule's or sensor's ``RunRequest`` is checked by the run's partition-key resolver before
its DAG run is triggered: for asset DAGs and op-job DAGs alike (an op job's key was not checked
until the triggered run failed)."""

from __future__ import annotations

import pytest

from asset2airflow import (
    Definitions,
    RunRequest,
    StaticPartitionsDefinition,
    job,
    op,
    sensor,
)
from asset2airflow.airflow.instigator_runtime import check_partition
from asset2airflow.airflow.op_plan import build_op_dag_plan
from asset2airflow.errors import PartitionError

REGIONS = StaticPartitionsDefinition(["north", "south"])


@op
def report_region(context) -> str:  # type: ignore[no-untyped-def]
    return str(context.partition_key)


@job(partitions_def=REGIONS)
def regions_job() -> None:
    report_region()


@op
def once() -> int:
    return 1


@job
def plain_job() -> None:
    once()


@sensor(jobs=[regions_job, plain_job])
def watcher(context):  # type: ignore[no-untyped-def]
    return None


DEFS = Definitions(jobs=[regions_job, plain_job], sensors=[watcher])


def _check(job_name: str, partition_key: str | None) -> None:
    plan = build_op_dag_plan(DEFS.get_job_def(job_name))  # type: ignore[arg-type]
    request = RunRequest(job_name=job_name, partition_key=partition_key)
    check_partition(DEFS, plan, request, "sensor 'watcher'", job_name)


def test_an_op_job_run_request_key_is_validated_against_the_job_partitions() -> None:
    _check("regions_job", "north")
    with pytest.raises(PartitionError) as info:
        _check("regions_job", "west")
    assert str(info.value) == (
        "partition key 'west' is not a partition of DAG 'regions_job' (requested by sensor "
        "'watcher'); valid keys: north, south"
    )
    with pytest.raises(PartitionError, match=r"return RunRequest\(partition_key=\.\.\.\)"):
        _check("regions_job", None)
    with pytest.raises(PartitionError, match="drop partition_key from the RunRequest"):
        _check("plain_job", "north")
    _check("plain_job", None)
