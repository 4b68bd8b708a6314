"""define_asset_job(config=..., partitions_def=...): checked against the assets when the
Definitions is built, and run locally with defs.get_job_def(name).execute_in_process()."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from asset2airflow import (
    AssetExecutionContext,
    Config,
    ConfigError,
    ConfigurableResource,
    DailyPartitionsDefinition,
    DefinitionError,
    Definitions,
    ExecutionResult,
    PartitionError,
    RunConfig,
    StaticPartitionsDefinition,
    asset,
    daily_partitioned_config,
    define_asset_job,
)

DAILY = DailyPartitionsDefinition(start_date="2024-01-01", timezone="Europe/Paris")


class Load(Config):
    table: str = "default_table"
    limit: int = 10


@asset(partitions_def=DAILY)
def daily_sales(context: AssetExecutionContext, config: Load) -> dict[str, Any]:
    return {
        "table": config.table,
        "limit": config.limit,
        "key": context.partition_key,
        "tag": context.run.tags.get("window"),
    }


@daily_partitioned_config(
    start_date="2024-01-01",
    timezone="Europe/Paris",
    tags_for_partition_fn=lambda start, end: {"window": f"{start:%m%d}-{end:%m%d}"},
)
def sales_days(start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
    return {"ops": {"daily_sales": {"config": {"table": f"sales_{start:%Y%m%d}"}}}}


@asset
def plain(config: Load) -> str:
    return f"{config.table}:{config.limit}"


@asset
def untyped() -> int:
    return 1


def test_an_asset_job_with_daily_partitioned_config_runs_its_partition() -> None:
    job = define_asset_job("sales_job", [daily_sales], config=sales_days)
    defs = Definitions(assets=[daily_sales], jobs=[job])
    result = defs.get_job_def("sales_job").execute_in_process(partition_key="2024-02-29")
    assert isinstance(result, ExecutionResult) and result.success
    assert result.output_for_node("daily_sales") == {
        "table": "sales_20240229",
        "limit": 10,  # the Config default
        "key": "2024-02-29",
        "tag": "0229-0301",
    }


def test_explicit_run_config_over_partition_config_over_config_defaults() -> None:
    defs = Definitions(
        assets=[daily_sales],
        jobs=[define_asset_job("sales_job", [daily_sales], config=sales_days)],
    )
    result = defs.get_job_def("sales_job").execute_in_process(
        partition_key="2024-03-01",
        run_config={"ops": {"daily_sales": {"config": {"limit": 3}}}},
        tags={"window": "given"},
    )
    assert result.output_for_node("daily_sales") == {
        "table": "sales_20240301",
        "limit": 3,
        "key": "2024-03-01",
        "tag": "given",
    }
    with pytest.raises(PartitionError, match="pass partition_key"):
        defs.get_job_def("sales_job").execute_in_process()


def test_a_dict_config_gives_defaults_the_run_config_overrides() -> None:
    job = define_asset_job("plain_job", [plain], config=RunConfig(ops={"plain": Load(limit=5)}))
    defs = Definitions(assets=[plain], jobs=[job])
    assert defs.get_job_def("plain_job").execute_in_process().output_for_node("plain") == (
        "default_table:5"
    )
    run_config = {"ops": {"plain": {"config": {"table": "t"}}}}
    result = defs.get_job_def("plain_job").execute_in_process(run_config=run_config)
    assert result.output_for_node("plain") == "t:5"


def test_an_asset_job_not_obtained_from_definitions_cannot_run() -> None:
    job = define_asset_job("loose", [plain])
    with pytest.raises(DefinitionError, match=r"Use defs.get_job_def\('loose'\)"):
        job.execute_in_process()


class Greeting(ConfigurableResource):
    word: str = "hi"


class Needs(Config):
    n: int
    m: int


def test_resources_given_to_execute_in_process_are_used() -> None:
    @asset
    def greeted(greeting: Greeting) -> str:
        return greeting.word

    defs = Definitions(
        assets=[greeted],
        jobs=[define_asset_job("g", [greeted])],
        resources={"greeting": Greeting()},
    )
    result = defs.get_job_def("g").execute_in_process(resources={"greeting": Greeting(word="yo")})
    assert result.output_for_node("greeted") == "yo"


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (
            {"ops": {"missing": {"config": {}}}},
            r"job 'bad': config: .*\['missing'\].*assets of job 'bad'",
        ),
        ({"ops": {"plain": {"config": {"limit": "ten"}}}}, "job 'bad': config of asset 'plain'"),
        ({"ops": {"untyped": {"config": {"x": 1}}}}, "asset 'untyped' .* which takes none"),
        ({"nonsense": {}}, r"unknown sections \['nonsense'\]"),
    ],
)
def test_a_job_config_is_checked_against_the_assets(config: Any, message: str) -> None:
    job = define_asset_job("bad", [plain, untyped], config=config)
    with pytest.raises(ConfigError, match=message):
        Definitions(assets=[plain, untyped], jobs=[job])


def test_a_required_field_may_come_at_run_time() -> None:
    @asset
    def needs(config: Needs) -> int:
        return config.n + config.m

    job = define_asset_job("needs_job", [needs], config={"ops": {"needs": {"config": {"n": 1}}}})
    defs = Definitions(assets=[needs], jobs=[job])
    run = {"ops": {"needs": {"config": {"m": 2}}}}
    assert (
        defs.get_job_def("needs_job").execute_in_process(run_config=run).output_for_node("needs")
        == 3
    )


def test_partitions_def_must_equal_the_selected_assets() -> None:
    other = DailyPartitionsDefinition(start_date="2023-01-01")
    job = define_asset_job("mismatch", [daily_sales], partitions_def=other)
    with pytest.raises(DefinitionError) as info:
        Definitions(assets=[daily_sales], jobs=[job])
    message = str(info.value)
    assert "job 'mismatch'" in message and "asset 'daily_sales'" in message
    assert repr(other) in message and repr(DAILY) in message
    ok = define_asset_job("ok", [daily_sales], partitions_def=DAILY)
    Definitions(assets=[daily_sales], jobs=[ok])


def test_a_partitioned_job_of_unpartitioned_assets_is_refused() -> None:
    job = define_asset_job("regions", [plain], partitions_def=StaticPartitionsDefinition(["eu"]))
    with pytest.raises(DefinitionError, match="none of its assets is.*not built.*partitions_def="):
        Definitions(assets=[plain], jobs=[job])
