"""Typed config, run config, resources and EnvVar at execution time."""

from __future__ import annotations

from typing import Any

import pytest

from asset2airflow import (
    AssetExecutionContext,
    Config,
    ConfigError,
    ConfigurableResource,
    EnvVar,
    EnvVarNotSetError,
    InitResourceContext,
    RunConfig,
    asset,
    build_asset_context,
    materialize_to_memory,
)

events: list[str] = []


class Greeting(Config):
    name: str = "world"
    times: int = 1


@asset
def greeting(config: Greeting) -> str:
    return " ".join([f"hello {config.name}"] * config.times)


class ApiClient(ConfigurableResource):
    token: str
    base_url: str = "https://api.example.com"

    def setup_for_execution(self, context: InitResourceContext) -> None:
        events.append(f"setup {self.token}")

    def teardown_after_execution(self, context: InitResourceContext) -> None:
        events.append("teardown")


@asset
def fetched(api: ApiClient) -> str:
    return f"{api.base_url} with {api.token}"


def test_config_defaults_dict_and_runconfig() -> None:
    assert materialize_to_memory([greeting]).output_for_node("greeting") == "hello world"
    dict_config = {"ops": {"greeting": {"config": {"name": "ann", "times": 2}}}}
    result = materialize_to_memory([greeting], run_config=dict_config)
    assert result.output_for_node("greeting") == "hello ann hello ann"
    result = materialize_to_memory(
        [greeting], run_config=RunConfig(ops={"greeting": Greeting(name="bo")})
    )
    assert result.output_for_node("greeting") == "hello bo"


def test_config_of_wrong_type_names_the_field_and_asset() -> None:
    with pytest.raises(ConfigError) as info:
        materialize_to_memory(
            [greeting], run_config={"ops": {"greeting": {"config": {"times": "x"}}}}
        )
    message = str(info.value)
    assert "asset 'greeting'" in message and "field 'times'" in message


def test_run_config_for_unknown_asset_names_it() -> None:
    with pytest.raises(ConfigError, match=r"\['greting'\].*can be given to: \['greeting'\]"):
        materialize_to_memory([greeting], run_config={"ops": {"greting": {"config": {}}}})


def test_config_for_asset_without_config_param() -> None:
    with pytest.raises(ConfigError, match="asset 'fetched'.*takes none"):
        materialize_to_memory(
            [fetched],
            resources={"api": ApiClient(token="t")},
            run_config={"ops": {"fetched": {"config": {"x": 1}}}},
        )


def test_env_var_is_read_at_execution_time(monkeypatch: pytest.MonkeyPatch) -> None:
    events.clear()
    monkeypatch.delenv("API_TOKEN", raising=False)
    resources = {"api": ApiClient(token=EnvVar("API_TOKEN"))}  # no error: not read yet
    monkeypatch.setenv("API_TOKEN", "s3cret")
    result = materialize_to_memory([fetched], resources=resources)
    assert result.output_for_node("fetched") == "https://api.example.com with s3cret"
    assert events == ["setup s3cret", "teardown"]


def test_unset_env_var_names_the_variable_and_resource(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("API_TOKEN", raising=False)
    with pytest.raises(EnvVarNotSetError) as info:
        materialize_to_memory([fetched], resources={"api": ApiClient(token=EnvVar("API_TOKEN"))})
    message = str(info.value)
    assert "'API_TOKEN'" in message and "resource 'api'" in message and "asset 'fetched'" in message


def test_resources_are_torn_down_when_the_asset_fails() -> None:
    events.clear()

    @asset
    def failing(api: ApiClient) -> str:
        raise RuntimeError("nope")

    with pytest.raises(Exception, match="nope"):
        materialize_to_memory([failing], resources={"api": ApiClient(token="t")})
    assert events == ["setup t", "teardown"]


def test_resource_config_in_run_config() -> None:
    result = materialize_to_memory(
        [fetched],
        resources={"api": ApiClient(token="t")},
        run_config={"resources": {"api": {"config": {"base_url": "http://local"}}}},
    )
    assert result.output_for_node("fetched") == "http://local with t"


def test_required_resource_keys_via_context() -> None:
    @asset(required_resource_keys={"api"})
    def via_context(context: AssetExecutionContext) -> str:
        return str(context.resources.api.token)

    result = materialize_to_memory([via_context], resources={"api": ApiClient(token="k")})
    assert result.output_for_node("via_context") == "k"


def test_direct_invocation_with_context_resources_and_config() -> None:
    assert greeting(Greeting(name="x")) == "hello x"
    assert greeting() == "hello world"
    assert fetched(api=ApiClient(token="a")) == "https://api.example.com with a"

    @asset
    def uses_context(context: AssetExecutionContext, numbers: list[int]) -> Any:
        context.add_output_metadata({"n": len(numbers)})
        return context.asset_key.to_user_string(), context.partition_key

    context = build_asset_context(partition_key="2026-01-01")
    assert uses_context(context, [1]) == ("uses_context", "2026-01-01")
    assert context.output_metadata("result")["n"].value == 1


def test_runtime_missing_resource_names_resource_and_asset() -> None:
    from asset2airflow import MissingResourceError
    from asset2airflow.execution.resources import ResourceScope

    with ResourceScope({}, run_id="r") as scope, pytest.raises(MissingResourceError) as info:
        scope.get("warehouse", "asset 'orders'")
    assert "asset 'orders' needs resource 'warehouse'" in str(info.value)
