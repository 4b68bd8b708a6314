"""Op jobs as DAG plans (plain data): one task per op, mapped tasks, params, retries,
partitions, and the Airflow arguments they become."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from asset2airflow import (
    Backoff,
    Config,
    DailyPartitionsDefinition,
    DefinitionError,
    Definitions,
    DynamicOut,
    DynamicOutput,
    Out,
    RetryPolicy,
    StaticPartitionsDefinition,
    asset,
    define_asset_job,
    graph,
    job,
    op,
)
from asset2airflow.airflow.arguments import dag_arguments, schedule_argument, task_call
from asset2airflow.airflow.op_plan import build_op_dag_plans
from asset2airflow.airflow.params import run_config_from_params
from asset2airflow.airflow.plan import build_dag_plans


class Limit(Config):
    limit: int = 10
    region: str


@op(out=DynamicOut(str))
def discover():
    yield DynamicOutput("a", mapping_key="a")


@op(retry_policy=RetryPolicy(max_retries=3, delay=5, backoff=Backoff.EXPONENTIAL), tags={"k": "v"})
def fetch(item: str, config: Limit) -> str:
    """Fetch one item."""
    return item


@op
def check(item: str) -> str:
    return item


@op(config_schema={"verbose": False})
def combine(items: list) -> int:
    return len(items)


@graph
def publish(count):
    return combine.alias("announce")(count)


@job(config={"ops": {"fetch": {"config": {"region": "eu"}}}}, tags={"team": "data"})
def crawl():
    found = discover()
    count = combine(found.map(lambda i: check(fetch(i))).collect())
    publish(count)


@asset(group_name="crawl_assets")
def crawled() -> int:
    return 1


def test_an_op_job_is_a_dag_with_one_task_per_op() -> None:
    defs = Definitions(assets=[crawled], jobs=[crawl])
    [plan] = build_op_dag_plans(defs)
    assert plan.dag_id == "crawl" and plan.job_name == "crawl"
    tasks = {t.task_id: t for t in plan.op_tasks}
    assert list(tasks) == ["discover", "fetch", "check", "combine", "publish.announce"]
    assert tasks["discover"].returns_keys_of == "result" and tasks["discover"].mapped_over is None
    assert tasks["fetch"].mapped_over == "discover" and tasks["check"].mapped_over == "discover"
    assert tasks["check"].upstream_task_ids == ("fetch",)
    assert tasks["combine"].upstream_task_ids == ("check", "discover")
    assert tasks["combine"].mapped_over is None
    assert tasks["publish.announce"].upstream_task_ids == ("combine",)
    assert (tasks["fetch"].retries, tasks["fetch"].retry_delay_seconds) == (3, 5.0)
    assert tasks["fetch"].retry_exponential_backoff == 2.0
    assert "Fetch one item." in (tasks["fetch"].doc_md or "") and "`k=v`" in (
        tasks["fetch"].doc_md or ""
    )
    assert plan.tags == ("asset2airflow", "job:ops", "team:data")
    # the asset DAGs are unchanged by the op job
    assert [p.dag_id for p in build_dag_plans(defs)] == ["crawl_assets"]


def test_op_config_becomes_typed_params_with_job_defaults() -> None:
    [plan] = build_op_dag_plans(Definitions(jobs=[crawl]))
    params = {p.name: p for p in plan.params}
    assert sorted(params) == [
        "combine__verbose",
        "fetch__limit",
        "fetch__region",
        "publish.announce__verbose",
    ]
    assert params["fetch__limit"].schema == {"type": "integer"}
    assert params["fetch__limit"].default == 10
    assert params["fetch__region"].default == "eu" and params["fetch__region"].has_default
    assert params["combine__verbose"].schema == {"type": "boolean"}
    ops = run_config_from_params({"fetch__limit": 3}, plan.params)["ops"]
    assert ops["fetch"] == {"config": {"limit": 3, "region": "eu"}}


def test_task_arguments_map_items_and_retries() -> None:
    [plan] = build_op_dag_plans(Definitions(jobs=[crawl]))
    fetch = task_call(plan.tasks[1])
    assert (repr(fetch.operator), fetch.expand_over) == ("MappedOpStepOperator", "discover")
    assert repr(task_call(plan.tasks[0]).operator) == "OpStepOperator"
    fetch_args = fetch.arguments
    assert fetch_args["map_index_template"] == "{{ task.mapping_key }}"
    assert fetch_args["retries"] == 3 and repr(fetch_args["retry_delay"]) == (
        "timedelta(seconds=5.0)"
    )
    assert fetch_args["trigger_rule"] == "none_failed"
    assert "map_index_template" not in task_call(plan.tasks[0]).arguments
    assert dag_arguments(plan)["schedule"] is None


def test_partitioned_jobs_get_the_partition_timetables() -> None:
    @op
    def day() -> int:
        return 1

    daily = job(partitions_def=DailyPartitionsDefinition(start_date="2024-01-01"), name="daily")(
        lambda: day()
    )
    regions = job(partitions_def=StaticPartitionsDefinition(["eu", "us"]), name="regions")(
        lambda: day()
    )
    plans = {p.dag_id: p for p in build_op_dag_plans(Definitions(jobs=[daily, regions]))}
    assert repr(schedule_argument(plans["daily"].schedule)).startswith(
        "CronPartitionTimetable('0 0 * * *'"
    )
    assert repr(schedule_argument(plans["regions"].schedule)) == "PartitionedAtRuntime()"
    [key_param] = plans["regions"].params
    assert key_param.name == "partition_key" and key_param.schema["enum"] == ["eu", "us", None]


def test_two_dynamic_outputs_of_one_op_cannot_both_be_mapped_in_airflow() -> None:
    @op(out={"a": DynamicOut(), "b": DynamicOut()})
    def two():
        yield DynamicOutput(1, mapping_key="x", output_name="a")
        yield DynamicOutput(2, mapping_key="y", output_name="b")

    @job
    def twice():
        a, b = two()
        a.map(check)
        b.map(check.alias("check_b"))

    with pytest.raises(DefinitionError, match=r"job 'twice'.*two dynamic outputs of op 'two'"):
        build_op_dag_plans(Definitions(jobs=[twice]))
    assert twice.execute_in_process().output_for_node("check_b") == {"y": 2}


def test_definitions_check_op_job_resources_and_names() -> None:
    @op(required_resource_keys={"api"})
    def call_api() -> int:
        return 1

    @job
    def api_job():
        call_api()

    with pytest.raises(DefinitionError, match=r"op 'call_api' of job 'api_job'.*\['api'\]"):
        Definitions(jobs=[api_job])
    assert (
        Definitions(jobs=[api_job], resources={"api": Limit(region="x")}).get_job_def("api_job")
        is api_job
    )
    with pytest.raises(DefinitionError, match="job 'crawl' is defined twice"):
        Definitions(jobs=[crawl, crawl.graph.to_job(name="crawl")])


def test_asset_jobs_and_op_jobs_live_together() -> None:
    asset_job = define_asset_job("assets_only", [crawled])
    defs = Definitions(assets=[crawled], jobs=[asset_job, crawl])
    assert defs.asset_jobs == [asset_job] and defs.op_jobs == [crawl]
    assert [p.dag_id for p in build_dag_plans(defs)] == ["assets_only"]
    assert [p.dag_id for p in build_op_dag_plans(defs, dag_id_prefix="x_")] == ["x_crawl"]


def test_an_op_with_an_optional_output_is_planned_like_any_other() -> None:
    @op(out={"maybe": Out(is_required=False)})
    def optional() -> None:
        return None

    @job
    def opt():
        check(optional())

    [plan] = build_op_dag_plans(Definitions(jobs=[opt]))
    assert [t.task_id for t in plan.tasks] == ["optional", "check"]


def test_cli_dags_lists_op_job_dags(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from asset2airflow.cli.main import main

    module = tmp_path / "crawl_job.py"
    module.write_text(
        "from asset2airflow import Definitions\n"
        "from tests.airflow.test_op_plan import crawl\n"
        "defs = Definitions(jobs=[crawl])\n"
    )
    assert main(["dags", str(module), "--json"]) == 0
    [described] = json.loads(capsys.readouterr().out)
    assert described["dag_id"] == "crawl" and described["job"] == "crawl"
    assert [t["mapped_over"] for t in described["tasks"]] == [
        None,
        "discover",
        "discover",
        None,
        None,
    ]
    assert main(["validate", str(module)]) == 0
    assert "1 DAG" in capsys.readouterr().out


def test_input_and_output_descriptions_and_graph_tags_are_kept() -> None:
    from asset2airflow import In

    @op(ins={"x": In(int, description="the count")}, out=Out(description="doubled"))
    def described(x: int) -> int:
        return 2 * x

    @graph(tags={"layer": "silver"})
    def tagged():
        described(check(discover().collect()))

    tagged_job = tagged.to_job(tags={"team": "data"})
    assert tagged_job.tags == {"layer": "silver", "team": "data"}
    [plan] = build_op_dag_plans(Definitions(jobs=[tagged_job]))
    doc = plan.tasks[-1].doc_md or ""
    assert "input `x`: the count" in doc and "output `result`: doubled" in doc
