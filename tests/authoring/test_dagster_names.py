"""Dagster names and behaviours users rely on every day, each as in Dagster, and the mistakes
they make with them reported naming the culprit."""

from __future__ import annotations

import asyncio
import concurrent.futures
from pathlib import Path
from typing import Any

import pytest

from asset2airflow import (
    AssetExecutionContext,
    AssetKey,
    AssetOut,
    AssetSpec,
    DefinitionError,
    Definitions,
    DuplicateKeyError,
    FilesystemIOManager,
    InMemoryIOManager,
    InputContext,
    IOManager,
    IOManagerDefinition,
    MaterializeResult,
    Output,
    OutputContext,
    StaticPartitionsDefinition,
    asset,
    define_asset_job,
    io_manager,
    materialize,
    materialize_to_memory,
    multi_asset,
    with_resources,
)


@asset
def raw() -> list[int]:
    return [1, 2]


def test_assets_definition_op_node_def_and_keys() -> None:
    assert raw.op.name == raw.node_def.name == "raw"
    assert raw.keys == {AssetKey("raw")}


@pytest.mark.parametrize("given", ["raw_orders", 42])
def test_asset_called_wrongly_says_how_to_write_it(given: Any) -> None:
    with pytest.raises(DefinitionError) as raised:
        asset(given)
    expected = "@asset(name='raw_orders')" if isinstance(given, str) else "decorates a function"
    assert expected in str(raised.value)


def test_async_assets_are_awaited_and_async_generators_refused() -> None:
    @asset
    async def fetched(raw: list[int]) -> int:
        await asyncio.sleep(0)
        return sum(raw)

    assert materialize_to_memory([raw, fetched]).output_for_node("fetched") == 3

    async def inside_a_running_loop() -> Any:  # e.g. a notebook
        return materialize_to_memory([raw, fetched]).output_for_node("fetched")

    with concurrent.futures.ThreadPoolExecutor(1) as pool:  # a thread of its own: no loop yet
        assert pool.submit(asyncio.run, inside_a_running_loop()).result() == 3

    async def streaming() -> Any:
        yield 1

    with pytest.raises(DefinitionError, match="async generator"):
        asset(streaming)


def test_a_bare_string_dep_is_one_dep_and_a_bad_dep_names_the_asset() -> None:
    @asset(deps="raw")
    def after_raw() -> int:
        return 1

    assert after_raw.upstream_keys() == [AssetKey("raw")]

    @asset(non_argument_deps={"raw"})
    def old_spelling() -> int:
        return 1

    assert old_spelling.upstream_keys() == [AssetKey("raw")]
    with pytest.raises(DefinitionError, match=r"asset 'bad_deps'.*deps has a bad item.*42"):

        @asset(deps=[42])  # type: ignore[list-item]
        def bad_deps() -> int:
            return 1


def test_the_same_asset_listed_twice_counts_once() -> None:
    defs = Definitions(assets=[raw, raw])
    assert defs.asset_graph.all_keys == [AssetKey("raw")]
    assert materialize_to_memory([raw, raw]).success


def test_a_node_name_collision_shows_both_original_keys() -> None:
    @asset(key="a-b")
    def first() -> int:
        return 1

    @asset(name="a_b")
    def second() -> int:
        return 2

    with pytest.raises(DuplicateKeyError) as raised:
        Definitions(assets=[first, second])
    message = str(raised.value)
    assert "'a-b'" in message and "'a_b'" in message and "node name 'a_b'" in message


@pytest.mark.parametrize("given", [FilesystemIOManager, "io_manager"])
def test_resources_given_as_a_class_or_string_are_refused_naming_the_key(given: Any) -> None:
    with pytest.raises(DefinitionError, match="resource 'io_manager'"):
        Definitions(assets=[raw], resources={"io_manager": given})


def test_unbuilt_inputs_are_refused_not_ignored() -> None:
    with pytest.raises(DefinitionError, match=r"schedules=\.\.\.\) got .*pass ScheduleDefinition"):
        Definitions(assets=[raw], schedules=[object()])
    with pytest.raises(DefinitionError, match=r"sensors=\.\.\.\) got .*pass @sensor"):
        Definitions(assets=[raw], sensors=[object()])
    with pytest.raises(DefinitionError, match="run_tags=.*not built yet"):
        define_asset_job("nightly", run_tags={"team": "data"})


def test_internal_asset_deps_narrow_each_outputs_upstreams() -> None:
    @asset
    def other() -> int:
        return 5

    @multi_asset(
        outs={"a": AssetOut(), "b": AssetOut()},
        internal_asset_deps={"a": {"raw"}, "b": {"other", "a"}},
    )
    def pair(raw: list[int], other: int) -> tuple[int, int]:
        return sum(raw), other

    graph = Definitions(assets=[raw, other, pair]).asset_graph
    assert graph.upstream[AssetKey("a")] == [AssetKey("raw")]
    assert graph.upstream[AssetKey("b")] == [AssetKey("a"), AssetKey("other")]  # sorted

    def lone() -> int:
        return 1

    with pytest.raises(DefinitionError, match=r"internal_asset_deps\['a'\] names \['nope'\]"):
        multi_asset(outs={"a": AssetOut()}, internal_asset_deps={"a": {"nope"}})(lone)


def test_with_resources_binds_resources_to_assets(tmp_path: Path) -> None:
    io = FilesystemIOManager(base_dir=str(tmp_path))
    [bound] = with_resources([raw], {"io_manager": io})
    result = materialize([bound])
    assert result.success and (tmp_path / "raw.pickle").exists()
    other = FilesystemIOManager(base_dir=str(tmp_path / "other"))
    with pytest.raises(DefinitionError, match="resource 'io_manager' is given twice"):
        Definitions(assets=[bound], resources={"io_manager": other})


def test_load_asset_value_and_the_value_loader(tmp_path: Path) -> None:
    parts = StaticPartitionsDefinition(["eu", "us"])

    @asset(partitions_def=parts)
    def regional(context: AssetExecutionContext) -> str:
        return f"{context.partition_key} data"

    io = FilesystemIOManager(base_dir=str(tmp_path))
    defs = Definitions(assets=[raw, regional], resources={"io_manager": io})
    materialize([raw], resources=defs.resources)
    materialize([regional], resources=defs.resources, partition_key="eu")
    assert defs.load_asset_value("raw") == [1, 2]
    with defs.get_asset_value_loader() as loader:
        assert loader.load_asset_value("regional", partition_key="eu") == "eu data"
    assert defs.get_implicit_global_asset_job_def().name == "__ASSET_JOB"


class ListIOManager(IOManager):
    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.values: dict[AssetKey, Any] = {}

    def handle_output(self, context: OutputContext, obj: Any) -> None:
        self.values[context.asset_key] = (self.prefix, obj)

    def load_input(self, context: InputContext) -> Any:
        return self.values[context.asset_key][1]


def test_io_manager_definitions_hardcoded_and_decorated() -> None:
    built: list[str] = []

    @io_manager(config_schema={"prefix": "default"})
    def list_io_manager(init_context: Any) -> ListIOManager:
        built.append(init_context.resource_config["prefix"])
        return SHARED

    SHARED = ListIOManager("x")

    @asset
    def doubled(raw: list[int]) -> list[int]:
        return raw * 2

    run_config = {"resources": {"io_manager": {"config": {"prefix": "p"}}}}
    result = materialize(
        [raw, doubled], resources={"io_manager": list_io_manager}, run_config=run_config
    )
    assert result.success and built == ["p"]  # built once per run, with its config
    assert SHARED.values[AssetKey("doubled")][1] == [1, 2, 1, 2]
    memory = InMemoryIOManager()
    hardcoded = IOManagerDefinition.hardcoded_io_manager(memory)
    assert materialize([raw], resources={"io_manager": hardcoded}).success
    assert list(memory.values.values()) == [[1, 2]]


def test_output_and_materialize_result_are_generic_annotations() -> None:
    @asset
    def typed() -> Output[int]:
        return Output(1, metadata={"n": 1})

    @asset
    def reported() -> MaterializeResult[int]:
        return MaterializeResult(value=2)

    result = materialize_to_memory([typed, reported])
    assert result.output_for_node("typed") == 1 and result.output_for_node("reported") == 2


def test_multi_asset_specs_partitions_are_seen_everywhere() -> None:
    parts = StaticPartitionsDefinition(["eu", "us"])
    seen: dict[str, Any] = {}

    class Recording(InMemoryIOManager):
        def handle_output(self, context: OutputContext, obj: Any) -> None:
            seen[context.asset_key.to_user_string()] = context.has_partition_key
            super().handle_output(context, obj)

    @multi_asset(specs=[AssetSpec("x", partitions_def=parts), AssetSpec("y", partitions_def=parts)])
    def both(context: AssetExecutionContext) -> tuple[str, str]:
        seen["context"] = context.partition_key
        return "x", "y"

    result = materialize([both], resources={"io_manager": Recording()}, partition_key="eu")
    assert seen == {"context": "eu", "x": True, "y": True}
    assert {m.partition for m in result.get_asset_materialization_events()} == {"eu"}

    def mixed() -> None:
        return None

    with pytest.raises(DefinitionError, match="different partitions"):
        multi_asset(specs=[AssetSpec("p", partitions_def=parts), AssetSpec("q")])(mixed)


def test_partition_mapping_must_be_a_mapping() -> None:
    from asset2airflow import AssetDep, AssetIn

    with pytest.raises(DefinitionError, match="partition_mapping=.*expected a PartitionMapping"):
        AssetIn("raw", partition_mapping=object())
    with pytest.raises(DefinitionError, match="AssetDep\\('raw'\\)\\(partition_mapping="):
        AssetDep("raw", partition_mapping=object())


def test_code_and_data_versions_are_recorded_and_op_tags_refused() -> None:
    @asset(code_version="v3")
    def versioned() -> MaterializeResult[int]:
        return MaterializeResult(value=1, data_version="abc")

    result = materialize_to_memory([versioned])
    [materialization] = result.get_asset_materialization_events()
    assert (materialization.code_version, materialization.data_version) == ("v3", "abc")
    from asset2airflow.airflow.events import event_extras

    extra = event_extras(result.step_outcomes[0])["versioned"]
    assert (extra["code_version"], extra["data_version"]) == ("v3", "abc")  # in Airflow too
    with pytest.raises(DefinitionError, match="op_tags=.*not built yet"):
        asset(op_tags={"dagster/priority": "1"})
