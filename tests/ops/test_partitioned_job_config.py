"""Op jobs with a PartitionedConfig: the job's partitions come from the config, a run's config
is its partition's config under the given run config, the partition's tags are run tags."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from asset2airflow import (
    Config,
    ConfigError,
    DailyPartitionsDefinition,
    DefinitionError,
    OpExecutionContext,
    PartitionError,
    StaticPartitionsDefinition,
    daily_partitioned_config,
    graph,
    job,
    op,
    static_partitioned_config,
)
from asset2airflow.airflow.op_plan import job_params


class Window(Config):
    day: str = "unset"
    hours: int = 0
    scale: int = 1


@daily_partitioned_config(
    start_date="2024-01-01",
    timezone="Europe/Paris",
    tags_for_partition_fn=lambda start, end: {"day": f"{start:%Y-%m-%d}", "team": "partition"},
)
def paris_days(start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
    hours = int((end.astimezone(dt.timezone.utc) - start.astimezone(dt.timezone.utc)).seconds)
    return {
        "ops": {"describe": {"config": {"day": f"{start:%Y-%m-%d}", "hours": hours // 3600 or 24}}}
    }


@op
def describe(context: OpExecutionContext, config: Window) -> dict[str, Any]:
    return {
        "day": config.day,
        "hours": config.hours,
        "scale": config.scale,
        "key": context.partition_key,
        "tags": {k: context.run.tags.get(k) for k in ("day", "team")},
    }


@job(config=paris_days, tags={"team": "job"})
def daily_job() -> None:
    describe()


def test_the_job_takes_its_partitions_from_the_config() -> None:
    assert daily_job.partitions_def == DailyPartitionsDefinition(
        start_date="2024-01-01", timezone="Europe/Paris"
    )
    assert daily_job.partitioned_config is paris_days


def test_a_run_gets_its_partitions_config_and_tags() -> None:
    result = daily_job.execute_in_process(partition_key="2024-03-31")
    assert result.output_for_node("describe") == {
        "day": "2024-03-31",
        "hours": 23,  # the DST day in Paris
        "scale": 1,  # the Config default: the partition's config does not set it
        "key": "2024-03-31",
        "tags": {"day": "2024-03-31", "team": "partition"},  # partition tags over job tags
    }


def test_run_config_overrides_the_partition_config_field_by_field() -> None:
    result = daily_job.execute_in_process(
        partition_key="2024-10-27",
        run_config={"ops": {"describe": {"config": {"hours": 1, "scale": 3}}}},
        tags={"team": "caller"},
    )
    value = result.output_for_node("describe")
    assert (value["day"], value["hours"], value["scale"]) == ("2024-10-27", 1, 3)
    assert value["tags"]["team"] == "caller"  # tags given to the run win


def test_a_partitioned_job_needs_a_valid_partition_key() -> None:
    with pytest.raises(PartitionError, match="pass partition_key"):
        daily_job.execute_in_process()
    with pytest.raises(PartitionError, match="2099-01-01"):
        daily_job.execute_in_process(partition_key="2099-01-01")


def test_config_types_are_checked_per_partition_at_run_time() -> None:
    @static_partitioned_config(["ok", "bad", "unknown"])
    def per_key(partition_key: str) -> dict[str, Any]:
        if partition_key == "bad":
            return {"ops": {"describe": {"config": {"hours": "many"}}}}
        if partition_key == "unknown":
            return {"ops": {"nope": {"config": {}}}}
        return {"ops": {"describe": {"config": {"hours": 2}}}}

    @job(config=per_key)  # defining it does not evaluate any partition
    def checked() -> None:
        describe()

    assert checked.execute_in_process(partition_key="ok").output_for_node("describe")["hours"] == 2
    with pytest.raises(ConfigError, match="job 'checked', partition 'bad': .*'hours'"):
        checked.execute_in_process(partition_key="bad")
    with pytest.raises(ConfigError, match=r"job 'checked'.*\['nope'\].*describe"):
        checked.execute_in_process(partition_key="unknown")


def test_a_failing_partition_function_names_job_and_key() -> None:
    @static_partitioned_config(["x"])
    def explodes(partition_key: str) -> dict[str, Any]:
        raise RuntimeError("no source")

    @job(config=explodes)
    def fragile() -> None:
        describe()

    with pytest.raises(
        ConfigError, match="job 'fragile'.*'explodes'.*partition key 'x'.*no source"
    ):
        fragile.execute_in_process(partition_key="x")


def test_partitions_def_must_equal_the_configs() -> None:
    @job(
        config=paris_days,
        partitions_def=DailyPartitionsDefinition("2024-01-01", timezone="Europe/Paris"),
    )
    def same() -> None:
        describe()

    assert same.partitions_def == paris_days.partitions_def
    with pytest.raises(DefinitionError, match="job 'other': partitions_def=.* differs from"):

        @job(config=paris_days, partitions_def=StaticPartitionsDefinition(["a"]))
        def other() -> None:
            describe()


def test_graph_to_job_takes_a_partitioned_config_with_nested_graph_config() -> None:
    @static_partitioned_config(["a", "b"])
    def nested(partition_key: str) -> dict[str, Any]:
        return {
            "ops": {"inner": {"ops": {"describe": {"config": {"day": partition_key, "hours": 5}}}}}
        }

    @graph
    def inner() -> None:
        describe()

    @graph
    def outer() -> None:
        inner()

    built = outer.to_job(name="nested_job", config=nested)
    assert built.partitions_def == StaticPartitionsDefinition(["a", "b"])
    result = built.execute_in_process(
        partition_key="b", run_config={"ops": {"inner.describe": {"config": {"scale": 4}}}}
    )
    value = result.output_for_node("inner.describe")
    assert (value["day"], value["hours"], value["scale"]) == ("b", 5, 4)


def test_dag_params_of_a_partitioned_config_job_are_nullable_and_empty() -> None:
    params = {p.name: p for p in job_params(daily_job)}
    hours = params["describe__hours"]
    assert hours.schema["type"] == ["integer", "null"]
    assert (hours.has_default, hours.default, hours.from_partition) == (True, None, True)
    assert "partition" in (hours.description or "")

    @job(config={"ops": {"describe": {"config": {"hours": 7}}}})
    def plain() -> None:
        describe()

    plain_params = {p.name: p for p in job_params(plain)}
    assert plain_params["describe__hours"].default == 7
    assert plain_params["describe__hours"].schema["type"] == "integer"
    assert not plain_params["describe__hours"].from_partition
