"""Op jobs compiled to Airflow 3.3: DagBag structure (one task per op, mapped tasks) and
dag.test() runs with dynamic task mapping, collect, config params, retries and Failure."""

from __future__ import annotations

import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from asset2airflow.io.locations import encode_component
from tests.airflow.conftest import task_states, xcom

pytestmark = pytest.mark.integration

FAN_OUT = """
from asset2airflow import (Config, Definitions, DynamicOut, DynamicOutput, ExpectationResult,
                           Failure, In, Nothing, Out, Output, RetryPolicy, graph, job, op)
from asset2airflow.airflow import build_dags

class Scale(Config):
    factor: int = 2

@op(out=DynamicOut(str))
def list_files(context):
    for name in ["a", "b", "c"]:
        yield DynamicOutput(name.upper(), mapping_key=f"file_{name}")

@op
def process(context, item: str, config: Scale) -> str:
    return item * config.factor + ":" + context.get_mapping_key()

@op
def merge(items: list) -> str:
    yield ExpectationResult(success=len(items) == 3, label="three items")
    yield Output(",".join(items))

@op(
    ins={"after": In(Nothing)},
    config_schema={"fail": False},
    retry_policy=RetryPolicy(max_retries=2, delay=1),
)
def maybe_fail(context) -> None:
    if context.op_config["fail"]:
        raise Failure("asked to fail", metadata={"why": "config"}, allow_retries=False)

@op(ins={"after": In(Nothing)})
def report(context) -> int:
    return 1

@graph
def tail(merged):
    return report(after=maybe_fail(after=merged))

@job(tags={"team": "data"})
def files_job():
    merged = merge(list_files().map(process).collect())
    tail(merged)

defs = Definitions(jobs=[files_job])
build_dags(defs)
"""


def _instances(run: Any) -> list[tuple[str, int, str | None, str, int]]:
    from airflow.models import TaskInstance
    from airflow.utils.session import create_session

    with create_session() as session:
        rows = session.query(TaskInstance).filter_by(dag_id=run.dag_id, run_id=run.run_id).all()
        return sorted(
            (t.task_id, t.map_index, t.rendered_map_index, str(t.state), t.try_number) for t in rows
        )


def test_op_job_dag_structure(load_dag_file: Callable[..., Any]) -> None:
    dag = load_dag_file("files_job.py", FAN_OUT)["files_job"]
    assert sorted(dag.task_ids) == [
        "list_files",
        "merge",
        "process",
        "tail.maybe_fail",
        "tail.report",
    ]
    process = dag.get_task("process")
    assert type(process).__name__ == "MappedOperator"
    assert process.upstream_task_ids == {"list_files"}
    assert dag.get_task("merge").upstream_task_ids == {"list_files", "process"}
    assert dag.get_task("tail.report").upstream_task_ids == {"tail.maybe_fail"}
    assert dag.get_task("tail.maybe_fail").retries == 2
    assert type(dag.get_task("merge")).__name__ == "OpStepOperator"
    assert dag.params.get_param("process__factor").schema["type"] == "integer"
    assert dag.params["tail.maybe_fail__fail"] is False
    assert not dag.get_task("merge").params  # DAG params are not copied into every task
    assert "team:data" in dag.tags and dag.schedule is None


def test_dag_test_maps_one_task_per_key_and_stores_the_collected_result(
    load_dag_file: Callable[..., Any], asset2airflow_home: Path
) -> None:
    dag = load_dag_file("files_job.py", FAN_OUT)["files_job"]
    run = dag.test(run_conf={"process__factor": 3})
    assert run.state == "success"
    mapped = [i for i in _instances(run) if i[0] == "process"]
    assert [(i[1], i[2], i[3]) for i in mapped] == [
        (0, "file_a", "success"),
        (1, "file_b", "success"),
        (2, "file_c", "success"),
    ]
    runs = asset2airflow_home / "storage" / ".runs"
    [run_dir] = list(runs.iterdir())  # keyed by the Airflow run id
    assert run_dir.name == encode_component(run.run_id)
    merged = pickle.loads((run_dir / "merge" / "result.pickle").read_bytes())
    assert merged == "AAA:file_a,BBB:file_b,CCC:file_c"
    assert xcom(run, "list_files", "return_value") == ["file_a", "file_b", "file_c"]
    record = xcom(run, "merge", "asset2airflow_op")
    assert record["expectations"][0] == {
        "label": "three items",
        "success": True,
        "description": None,
        "metadata": {},
    }
    assert task_states(run)["tail.report"] == "success"


def test_failure_without_retries_fails_the_task_at_once(load_dag_file: Callable[..., Any]) -> None:
    dag = load_dag_file("files_job.py", FAN_OUT)["files_job"]
    run = dag.test(run_conf={"tail.maybe_fail__fail": True})
    assert run.state == "failed"
    states = {i[0]: (i[3], i[4]) for i in _instances(run) if i[1] == -1}
    assert states["tail.maybe_fail"] == ("failed", 1)  # retries=2, but Failure(allow_retries=False)
    assert states["tail.report"][0] == "upstream_failed"
    assert states["merge"][0] == "success"


EDGE = """
from asset2airflow import Config, Definitions, DynamicOut, DynamicOutput, Out, Output, job, op
from asset2airflow.airflow import build_dags

@op(
    config_schema={"n": 0, "emit": True},
    out={"items": DynamicOut(int), "flag": Out(is_required=False)},
)
def produce(context):
    for i in range(context.op_config["n"]):
        yield DynamicOutput(i, mapping_key=f"k{i}", output_name="items")
    if context.op_config["emit"]:
        yield Output(True, output_name="flag")

@op
def square(x: int) -> int:
    return x * x

@op
def total(xs: list) -> int:
    return sum(xs)

@op
def uses_flag(flag: bool) -> bool:
    return flag

@op(out=DynamicOut(int))
def after_flag(flag: bool):
    yield DynamicOutput(1, mapping_key="one")

@op
def plus(x: int) -> int:
    return x + 1

@job
def edge_job():
    p = produce()
    total(p.items.map(square).collect())
    f = uses_flag(p.flag)
    total.alias("total2")(after_flag(f).map(plus).collect())

build_dags(Definitions(jobs=[edge_job]))
"""


def test_empty_fan_out_and_missing_optional_outputs_skip_like_dagster(
    load_dag_file: Callable[..., Any],
) -> None:
    dag = load_dag_file("edge_job.py", EDGE)["edge_job"]
    run = dag.test(run_conf={"produce__n": 0, "produce__emit": False})
    assert run.state == "success"
    assert task_states(run) == {
        "produce": "success",
        "square": "skipped",  # zero mapping keys: no mapped instance
        "total": "success",  # .collect() of nothing is []
        "uses_flag": "skipped",  # its optional input was not produced
        "after_flag": "skipped",
        "plus": "skipped",
        "total2": "skipped",
    }
    run = dag.test(run_conf={"produce__n": 2, "produce__emit": True})
    assert run.state == "success" and set(task_states(run).values()) == {"success"}
    assert [i[2] for i in _instances(run) if i[0] == "square"] == ["k0", "k1"]


PARTITIONED = """
from asset2airflow import Definitions, StaticPartitionsDefinition, job, op
from asset2airflow.airflow import build_dags

@op
def region(context) -> str:
    return context.partition_key

@job(partitions_def=StaticPartitionsDefinition(["eu", "us"]))
def regional():
    region()

build_dags(Definitions(jobs=[regional]))
"""


def test_partitioned_op_job_runs_for_the_triggered_key(
    load_dag_file: Callable[..., Any], asset2airflow_home: Path
) -> None:
    dag = load_dag_file("regional.py", PARTITIONED)["regional"]
    assert type(dag.timetable).__name__ == "PartitionedAtRuntime"
    run = dag.test(run_conf={"partition_key": "us"})
    assert run.state == "success"
    [stored] = (asset2airflow_home / "storage" / ".runs").rglob("result.pickle")
    assert pickle.loads(stored.read_bytes()) == "us"
    with pytest.raises(Exception, match="partition_key"):  # Airflow rejects it before running
        dag.test(run_conf={"partition_key": "mars"})


CLASH = """
from asset2airflow import Definitions, asset, job, op
from asset2airflow.airflow import build_dags

@asset(group_name="nightly")
def table() -> int:
    return 1

@op
def work() -> int:
    return 1

@job
def nightly():
    work()

build_dags(Definitions(assets=[table], jobs=[nightly]))
"""


def test_an_op_job_named_like_an_asset_group_is_an_import_error(dags_folder: Path) -> None:
    from airflow.dag_processing.dagbag import DagBag

    path = dags_folder / "clash.py"
    path.write_text(CLASH)
    bag = DagBag(dag_folder=str(path))
    [error] = bag.import_errors.values()
    assert "DAG id 'nightly' would be made twice: by op job 'nightly'" in error


def test_op_dags_serialize_identically_across_fresh_parses(tmp_path: Path) -> None:
    from tests.airflow.test_parsing import parse_folder

    (tmp_path / "files_job.py").write_text(FAN_OUT)
    first, second = parse_folder(tmp_path), parse_folder(tmp_path)
    assert first["dags"] == ["files_job"] and not first["errors"]
    assert first["serialized"] == second["serialized"]


def test_load_asset_modules_builds_op_job_dags(
    dags_folder: Path, load_dag_file: Callable[..., Any]
) -> None:
    modules = dags_folder / "plain_jobs"
    modules.mkdir(exist_ok=True)
    (modules / "jobs.py").write_text(
        "from asset2airflow import Definitions, job, op\n"
        "@op\ndef hello() -> str:\n    return 'hi'\n"
        "@job\ndef plain_hello():\n    hello()\n"
        "defs = Definitions(jobs=[plain_hello])\n"
    )
    dags = load_dag_file(
        "plain_jobs_loader.py",
        f"""
        from asset2airflow.airflow import load_asset_modules
        load_asset_modules({str(modules)!r})
        """,
    )
    assert sorted(dags) == ["plain_hello"]
    assert dags["plain_hello"].test().state == "success"


GRAPH_ASSET = """
from asset2airflow import (Definitions, DynamicOut, DynamicOutput, asset, graph_asset, op)
from asset2airflow.airflow import build_dags

@asset(group_name="graph_assets")
def words() -> list:
    return ["a", "bb", "ccc"]

@op(out=DynamicOut(str))
def each(items: list):
    for i, item in enumerate(items):
        yield DynamicOutput(item, mapping_key=f"w{i}")

@op(config_schema={"times": 1})
def length(context, word: str) -> int:
    return len(word) * context.op_config["times"]

@op
def total(lengths: list) -> int:
    return sum(lengths)

@graph_asset(group_name="graph_assets")
def total_length(words):
    return total(each(words).map(length).collect())

build_dags(Definitions(assets=[words, total_length]))
"""


def test_a_graph_asset_is_one_asset_task_running_its_ops(
    load_dag_file: Callable[..., Any], asset2airflow_home: Path
) -> None:
    dag = load_dag_file("graph_assets.py", GRAPH_ASSET)["graph_assets"]
    assert sorted(dag.task_ids) == ["total_length", "words"]
    assert dag.params.get_param("total_length__length").schema["type"] == "object"
    run = dag.test(run_conf={"total_length__length": {"times": 2}})
    assert run.state == "success"
    stored = asset2airflow_home / "storage" / "total_length.pickle"
    assert pickle.loads(stored.read_bytes()) == 12
