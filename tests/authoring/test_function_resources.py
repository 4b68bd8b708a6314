"""Dagster's function-built resources, used as Dagster's docs use them: ``@resource`` (plain,
generator and ``@contextmanager``), ``ResourceDefinition.hardcoded_resource/mock_resource/
none_resource``, ``build_init_resource_context``, ``build_resources``, ``make_values_resource``
and ``ResourceParam``. Each snippet was also run under Dagster 1.13.29 (.venv-dagster): same
values, same set-up/teardown order; Dagster's DagsterInvalidConfigError and
DagsterResourceFunctionError are ConfigError and ResourceError here."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import pytest

from asset2airflow import (
    AssetExecutionContext,
    ConfigError,
    Definitions,
    InitResourceContext,
    ResourceDefinition,
    ResourceError,
    ResourceParam,
    asset,
    build_init_resource_context,
    build_resources,
    define_asset_job,
    job,
    make_values_resource,
    materialize,
    op,
    resource,
)

events: list[str] = []


@pytest.fixture(autouse=True)
def _fresh_events() -> None:
    events.clear()


@resource(config_schema={"conn": str})
def db(init_context: InitResourceContext) -> str:
    return f"db:{init_context.resource_config['conn']}"


@resource
def session(_init_context: InitResourceContext) -> Iterator[str]:
    events.append("open")
    yield "session"
    events.append("close")


@resource
@contextmanager
def managed(_init_context: InitResourceContext) -> Iterator[str]:
    events.append("enter")
    yield "managed"
    events.append("exit")


@resource(required_resource_keys={"db"})
def client(init_context: InitResourceContext) -> str:
    return f"client({init_context.resources.db})"


def test_a_resource_function_is_tested_by_calling_it_with_an_init_context() -> None:
    assert db(build_init_resource_context(config={"conn": "x"})) == "db:x"

    @resource
    def answer() -> int:  # no context parameter: Dagster calls it without one
        return 42

    assert answer() == 42
    with pytest.raises(ConfigError, match="resource 'db' needs config \\['conn'\\]"):
        db(build_init_resource_context())


def test_build_resources_builds_each_kind_and_tears_down_in_reverse_order() -> None:
    with build_resources(
        {"db": db, "session": session, "managed": managed, "plain": "bar", "client": client},
        resource_config={"db": {"config": {"conn": "c"}}},
    ) as resources:
        assert (resources.db, resources.session, resources.managed, resources.plain) == (
            "db:c",
            "session",
            "managed",
            "bar",
        )
        assert resources.client == "client(db:c)"
        assert events == ["enter", "open"]
    assert events == ["enter", "open", "close", "exit"]


def test_hardcoded_mock_and_none_resources() -> None:
    with build_resources(
        {
            "five": ResourceDefinition.hardcoded_resource(5),
            "nothing": ResourceDefinition.none_resource(),
            "fake": ResourceDefinition.mock_resource(),
        }
    ) as resources:
        assert resources.five == 5
        assert resources.nothing is None
        assert isinstance(resources.fake, mock.MagicMock)


values = make_values_resource(limit=int, name=str)


@asset(required_resource_keys={"values", "session"})
def uses_values(context: AssetExecutionContext) -> str:
    events.append("compute")
    return f"{context.resources.values['name']}:{context.resources.values['limit']}"


@asset
def uses_param(client: ResourceParam[str]) -> str:
    return client


def test_resources_in_materialize_with_run_config_and_resource_param() -> None:
    result = materialize(
        [uses_values, uses_param],
        resources={"values": values, "session": session, "client": client, "db": db},
        run_config={
            "resources": {
                "values": {"config": {"limit": 3, "name": "n"}},
                "db": {"config": {"conn": "q"}},
            }
        },
    )
    assert result.output_for_node("uses_values") == "n:3"
    assert result.output_for_node("uses_param") == "client(db:q)"
    assert events == ["open", "compute", "close"]


def test_values_of_the_wrong_type_are_a_config_error() -> None:
    with pytest.raises(ConfigError, match="resource 'values'"):
        materialize(
            [uses_values],
            resources={"values": values, "session": session},
            run_config={"resources": {"values": {"config": {"limit": "x", "name": "n"}}}},
        )


def test_make_values_resource_without_fields_takes_any_config() -> None:
    with build_resources(
        {"v": make_values_resource()}, resource_config={"v": {"config": {"a": 1, "b": [2]}}}
    ) as resources:
        assert resources.v == {"a": 1, "b": [2]}


def test_a_failing_resource_function_is_a_resource_error_naming_it() -> None:
    @resource
    def broken(_init_context: InitResourceContext) -> Any:
        raise ValueError("boom")

    with pytest.raises(ResourceError, match="resource 'b'.*ValueError: boom"), build_resources(
        {"b": broken}
    ):
        pass


def test_a_generator_resource_is_torn_down_when_the_op_fails() -> None:
    @op(required_resource_keys={"session"})
    def fails(context: Any) -> None:
        events.append(context.resources.session)
        raise RuntimeError("op failed")

    @job(resource_defs={"session": session})
    def failing_job() -> None:
        fails()

    result = failing_job.execute_in_process(raise_on_error=False)
    assert not result.success
    assert events == ["open", "session", "close"]


def test_function_resources_in_definitions() -> None:
    defs = Definitions(
        assets=[uses_values],
        jobs=[define_asset_job("values_job", selection=[uses_values])],
        resources={"values": values, "session": session},
    )
    result = defs.get_job_def("values_job").execute_in_process(
        run_config={"resources": {"values": {"config": {"limit": 1, "name": "a"}}}}
    )
    assert result.success
    assert events == ["open", "compute", "close"]


def test_configured_fixes_a_resources_config() -> None:
    @resource(config_schema={"n": int})
    def number(init_context: InitResourceContext) -> int:
        return int(init_context.resource_config["n"])

    three = number.configured({"n": 3})
    assert three(build_init_resource_context()) == 3
    with build_resources({"three": three}) as resources:
        assert resources.three == 3
    with pytest.raises(ConfigError, match="resource 'number'"):
        number.configured({"n": "x"})  # Dagster finds this only when the resource is built
