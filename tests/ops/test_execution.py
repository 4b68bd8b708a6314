"""job.execute_in_process(): fan-out and collect, config, resources, Failure, RetryRequested,
optional outputs, nested graphs, partitions, IO managers — on the shared engine."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import pytest

from asset2airflow import (
    Config,
    ConfigError,
    ConfigurableResource,
    DailyPartitionsDefinition,
    DynamicOut,
    DynamicOutput,
    ExpectationResult,
    Failure,
    FailureError,
    In,
    InMemoryIOManager,
    InputContext,
    IOManager,
    MissingResourceError,
    Nothing,
    OpExecutionContext,
    Out,
    Output,
    OutputContext,
    PartitionError,
    RetryPolicy,
    RetryRequested,
    TypeCheckError,
    UserCodeError,
    asset,
    graph,
    job,
    materialize,
    op,
)

CALLS: list[str] = []


@op(out=DynamicOut(str))
def files():
    for key in ["zeta", "alpha", "mid"]:  # emission order, not sorted order
        yield DynamicOutput(key.upper(), mapping_key=key)


@op
def shout(context: OpExecutionContext, name: str) -> str:
    CALLS.append(f"shout[{context.get_mapping_key()}]")
    return name + "!"


@op
def tag(name: str) -> str:
    return f"<{name}>"


@op
def join(names: list) -> str:
    return ",".join(names)


@job
def fan_job():
    join(files().map(lambda f: tag(shout(f))).collect())


def test_fan_out_runs_once_per_key_and_collect_keeps_emission_order() -> None:
    CALLS.clear()
    result = fan_job.execute_in_process()
    assert result.success
    assert CALLS == ["shout[zeta]", "shout[alpha]", "shout[mid]"]
    assert result.output_for_node("join") == "<ZETA!>,<ALPHA!>,<MID!>"
    assert result.output_for_node("tag") == {
        "zeta": "<ZETA!>",
        "alpha": "<ALPHA!>",
        "mid": "<MID!>",
    }
    assert list(result.output_for_node("files")) == ["zeta", "alpha", "mid"]
    outputs = [e.step_key for e in result.all_node_events if e.event_type_value == "STEP_OUTPUT"]
    assert "shout[alpha]" in outputs and "files" in outputs


def test_values_go_through_the_filesystem_io_manager_keyed_by_run(
    asset2airflow_home: Path,
) -> None:
    result = fan_job.execute_in_process(run_id="run-1")
    runs = asset2airflow_home / "storage" / ".runs" / "run-1"
    assert pickle.loads((runs / "files" / "result.mapped" / "alpha.pickle").read_bytes()) == "ALPHA"
    assert pickle.loads((runs / "tag" / "result.mapped" / "mid.pickle").read_bytes()) == "<MID!>"
    assert pickle.loads((runs / "join" / "result.pickle").read_bytes()) == result.output_for_node(
        "join"
    )


def test_op_outputs_never_share_storage_with_an_asset(asset2airflow_home: Path) -> None:
    @asset(key_prefix="runs")
    def join() -> str:  # an asset key that looks like the op's path
        return "asset"

    fan_job.execute_in_process(run_id="r")
    materialize([join])
    storage = asset2airflow_home / "storage"
    assert pickle.loads((storage / "runs" / "join.pickle").read_bytes()) == "asset"
    assert pickle.loads((storage / ".runs" / "r" / "join" / "result.pickle").read_bytes()) == (
        "<ZETA!>,<ALPHA!>,<MID!>"
    )


def test_in_memory_io_manager_stores_op_outputs_by_run_and_key() -> None:
    memory = InMemoryIOManager()
    result = fan_job.execute_in_process(resources={"io_manager": memory}, run_id="m")
    assert memory.op_values[("m", "shout", "result", "alpha")] == "ALPHA!"
    assert result.output_for_node("join") == "<ZETA!>,<ALPHA!>,<MID!>"


def test_empty_fan_out_runs_nothing_mapped_and_collects_an_empty_list() -> None:
    @op(out=DynamicOut(int))
    def nothing_to_do():
        yield from ()

    @op
    def count(xs: list) -> int:
        return len(xs)

    @job
    def empty():
        count(nothing_to_do().map(tag).collect())

    result = empty.execute_in_process()
    assert result.success and result.output_for_node("count") == 0
    assert result.output_for_node("tag") == {}


def test_duplicate_mapping_key_fails_naming_op_and_key() -> None:
    @op(out=DynamicOut(int))
    def dup():
        yield DynamicOutput(1, mapping_key="same")
        yield DynamicOutput(2, mapping_key="same")

    @job
    def dup_job():
        dup().map(tag)

    with pytest.raises(Exception, match=r"op 'dup' of job 'dup_job'.*'same' twice"):
        dup_job.execute_in_process()


class Scale(Config):
    factor: int = 2


@op(config_schema={"base": int, "suffix": "?"})
def start(context: OpExecutionContext) -> str:
    return str(context.op_config["base"]) + context.op_config["suffix"]


@op
def scaled(value: str, config: Scale) -> str:
    return value * config.factor


@job(config={"ops": {"start": {"config": {"base": 1}}}})
def config_job():
    scaled(start())


def test_config_schema_and_typed_config_with_job_defaults() -> None:
    assert config_job.execute_in_process().output_for_node("scaled") == "1?1?"
    result = config_job.execute_in_process(
        run_config={"ops": {"start": {"config": {"base": 7}}, "scaled": {"config": {"factor": 3}}}}
    )
    assert result.output_for_node("scaled") == "7?7?7?"


def test_config_of_the_wrong_type_fails_before_anything_runs() -> None:
    CALLS.clear()

    @op
    def first() -> int:
        CALLS.append("first")
        return 1

    @op
    def second(x: int, config: Scale) -> int:
        return x * config.factor

    @job
    def two():
        second(first())

    with pytest.raises(ConfigError, match=r"op 'second'.*factor"):
        two.execute_in_process(run_config={"ops": {"second": {"config": {"factor": "x"}}}})
    with pytest.raises(ConfigError, match=r"\['secnd'\]"):
        two.execute_in_process(run_config={"ops": {"secnd": {"config": {}}}})
    assert CALLS == []


class Greeter(ConfigurableResource):
    greeting: str = "hi"


class Prefix(ConfigurableResource):
    value: str = ">"


@op(required_resource_keys={"prefix"})
def greet(context: OpExecutionContext, greeter: Greeter) -> str:
    return f"{context.resources.prefix.value}{greeter.greeting}"


@job(resource_defs={"prefix": Prefix(), "greeter": Greeter()})
def greet_job():
    greet()


def test_resources_by_key_and_by_annotation_and_overrides() -> None:
    assert greet_job.execute_in_process().output_for_node("greet") == ">hi"
    result = greet_job.execute_in_process(resources={"greeter": Greeter(greeting="yo")})
    assert result.output_for_node("greet") == ">yo"


def test_missing_resource_fails_naming_op_and_job_before_running() -> None:
    @job
    def bare():
        greet()

    with pytest.raises(MissingResourceError, match=r"op 'greet' of job 'bare'.*\['greeter', "):
        bare.execute_in_process()


def test_failure_without_retries_is_not_retried_and_keeps_metadata() -> None:
    attempts: list[int] = []

    @op(retry_policy=RetryPolicy(max_retries=3))
    def fragile() -> int:
        attempts.append(1)
        raise Failure("bad input", metadata={"rows": 0}, allow_retries=False)

    @job
    def fragile_job():
        fragile()

    result = fragile_job.execute_in_process(raise_on_error=False)
    assert not result.success and len(attempts) == 1
    [error] = result.errors
    assert isinstance(error, FailureError) and not error.allow_retries
    assert error.metadata["rows"].value == 0
    assert "op 'fragile' of job 'fragile_job' raised Failure: bad input" in str(error)


def test_failure_with_retries_follows_the_retry_policy() -> None:
    attempts: list[int] = []

    @op(retry_policy=RetryPolicy(max_retries=2))
    def flaky() -> int:
        attempts.append(1)
        if len(attempts) < 3:
            raise Failure("not yet")
        return len(attempts)

    @job
    def flaky_job():
        flaky()

    assert flaky_job.execute_in_process().output_for_node("flaky") == 3


def test_retry_requested_reruns_the_op() -> None:
    attempts: list[int] = []

    @op
    def eventually(context: OpExecutionContext) -> int:
        attempts.append(context.retry_number)
        if len(attempts) < 2:
            raise RetryRequested(max_retries=2, seconds_to_wait=0)
        return 5

    @job
    def retry_job():
        eventually()

    assert retry_job.execute_in_process().output_for_node("eventually") == 5
    assert attempts == [0, 1]


def test_a_failed_op_skips_what_depends_on_it() -> None:
    @op
    def boom() -> int:
        raise ValueError("boom")

    @job
    def boom_job():
        tag(boom())
        one_more()

    result = boom_job.execute_in_process(raise_on_error=False)
    assert not result.success
    kinds = {(e.node_name, e.event_type_value) for e in result.all_node_events}
    assert ("boom", "STEP_FAILURE") in kinds and ("tag", "STEP_SKIPPED") in kinds
    assert ("one_more", "STEP_SUCCESS") in kinds
    # As in Dagster, execute_in_process raises the op's own exception (noted with the op).
    with pytest.raises(ValueError) as raised:
        boom_job.execute_in_process()
    assert not isinstance(raised.value, UserCodeError)
    assert any("op 'boom' of job 'boom_job' failed" in n for n in raised.value.__notes__)


@op
def one_more() -> int:
    return 1


def test_optional_output_not_yielded_skips_its_consumers_and_the_run_succeeds() -> None:
    @op(out={"good": Out(), "bad": Out(is_required=False)})
    def branch():
        yield Output(1, output_name="good")

    @op
    def on_good(x: int) -> int:
        return x + 1

    @op
    def on_bad(x: int) -> int:
        return x - 1

    @op(ins={"after": In(Nothing)})
    def after_bad() -> int:
        return 0

    @job
    def branching():
        good, bad = branch()
        on_good(good)
        after_bad(after=on_bad(bad))

    result = branching.execute_in_process()
    assert result.success and result.output_for_node("on_good") == 2
    skipped = {e.node_name for e in result.all_node_events if e.event_type_value == "STEP_SKIPPED"}
    assert skipped == {"on_bad", "after_bad"}


def test_expectations_are_recorded() -> None:
    @op
    def checked():
        yield ExpectationResult(success=False, label="non_empty", description="it was empty")
        yield Output(0)

    @job
    def expect_job():
        checked()

    result = expect_job.execute_in_process()
    [expectation] = result.expectation_results_for_node("checked")
    assert expectation.label == "non_empty" and not expectation.success
    assert result.success  # a failed expectation does not fail the op, as in Dagster


def test_nested_graphs_flatten_with_dotted_names_and_nested_config() -> None:
    @graph
    def inner(x):
        return scaled(x)

    @job
    def outer_job():
        inner(start())

    result = outer_job.execute_in_process(
        run_config={
            "ops": {
                "start": {"config": {"base": 2}},
                "inner": {"ops": {"scaled": {"config": {"factor": 1}}}},
            }
        }
    )
    assert result.output_for_node("inner.scaled") == "2?"


def test_fan_in_passes_a_list() -> None:
    with pytest.raises(Exception, match="not an output of another op"):

        @job
        def bad_fan_in():
            join([1, 2])

    @op
    def word() -> str:
        return "w"

    @job
    def fan_in_words():
        join([word(), tag(word())])

    assert fan_in_words.execute_in_process().output_for_node("join") == "w,<w>"


def test_type_checks_on_inputs_and_outputs() -> None:
    @op(out=Out(int))
    def not_an_int() -> Any:
        return "x"

    @job
    def bad_out():
        not_an_int()

    with pytest.raises(TypeCheckError, match=r"output 'result' is a str.*Out\(int\)"):
        bad_out.execute_in_process()

    @op(ins={"n": In(int)})
    def wants_int(n: Any) -> Any:
        return n

    @job
    def bad_in():
        wants_int(tag(one_more.alias("x")()))

    with pytest.raises(TypeCheckError, match=r"input 'n' got a str.*In\(int\)"):
        bad_in.execute_in_process()


daily = DailyPartitionsDefinition(start_date="2024-01-01")


@op
def which_day(context: OpExecutionContext) -> str:
    return context.partition_key


@job(partitions_def=daily)
def daily_job():
    which_day()


def test_partitioned_job_gives_the_partition_key_and_validates_it() -> None:
    result = daily_job.execute_in_process(partition_key="2024-01-03")
    assert result.output_for_node("which_day") == "2024-01-03"
    with pytest.raises(PartitionError, match="job 'daily_job' is partitioned"):
        daily_job.execute_in_process()
    with pytest.raises(PartitionError):
        daily_job.execute_in_process(partition_key="2024-13-01")
    with pytest.raises(PartitionError, match="job 'fan_job' is not partitioned"):
        fan_job.execute_in_process(partition_key="2024-01-03")


def test_graph_to_job_and_graph_execute_in_process() -> None:
    @graph
    def pipeline():
        return join(files().collect())

    assert pipeline.execute_in_process().output_for_node("join") == "ZETA,ALPHA,MID"
    named = pipeline.to_job(name="pipeline_job", tags={"team": "x"})
    assert named.name == "pipeline_job" and named.tags == {"team": "x"}
    assert named.execute_in_process().output_value() == "ZETA,ALPHA,MID"


EVENTS: list[str] = []


class Tracked(ConfigurableResource):
    def setup_for_execution(self, context: Any) -> None:
        EVENTS.append("setup")

    def teardown_after_execution(self, context: Any) -> None:
        EVENTS.append("teardown")


def test_resources_are_torn_down_after_the_run() -> None:
    events = EVENTS
    events.clear()

    @op
    def use(tracked: Tracked) -> int:
        events.append("use")
        return 1

    @job(resource_defs={"tracked": Tracked()})
    def tracked_job():
        use()
        use()

    tracked_job.execute_in_process()
    assert events == ["setup", "use", "use", "teardown"]


class IdentifierIOManager(IOManager):
    """A user IO manager keyed the Dagster way, by ``get_identifier()``."""

    def __init__(self) -> None:
        self.stored: dict[tuple[str, ...], Any] = {}

    def handle_output(self, context: OutputContext, obj: Any) -> None:
        self.stored[tuple(context.get_identifier())] = obj

    def load_input(self, context: InputContext) -> Any:
        assert context.upstream_output is not None
        return self.stored[tuple(context.upstream_output.get_identifier())]


def test_a_user_io_manager_sees_run_step_output_and_mapping_key() -> None:
    manager = IdentifierIOManager()
    result = fan_job.execute_in_process(resources={"io_manager": manager}, run_id="r9")
    assert result.success
    assert manager.stored[("r9", "files", "result", "zeta")] == "ZETA"
    assert manager.stored[("r9", "join", "result")] == "<ZETA!>,<ALPHA!>,<MID!>"


def test_an_out_can_name_its_io_manager() -> None:
    memory = InMemoryIOManager()

    @op(out=Out(io_manager_key="mem"))
    def kept() -> int:
        return 4

    @op
    def plus_one(x: int) -> int:
        return x + 1

    @job(resource_defs={"mem": memory})
    def keyed():
        plus_one(kept())

    result = keyed.execute_in_process(run_id="k")
    assert memory.op_values == {("k", "kept", "result"): 4}  # only kept's output is in "mem"
    assert result.output_for_node("plus_one") == 5


def test_failure_in_an_asset_also_skips_its_retries() -> None:
    attempts: list[int] = []

    @asset(retry_policy=RetryPolicy(max_retries=2))
    def strict() -> int:
        attempts.append(1)
        raise Failure("corrupt source", allow_retries=False)

    result = materialize([strict], raise_on_error=False)
    assert not result.success and len(attempts) == 1
    assert isinstance(result.errors[0], FailureError)
