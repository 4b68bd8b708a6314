"""Every keyword of Dagster's decorators is accepted, or refused with a message naming it and the
alternative. The keywords are recorded in docs/dagster-api.toml ``[decorator_keywords]`` from
Dagster 1.13.29's ``inspect.signature`` (plus the hidden deprecated keywords it still takes);
``scripts/dagster_api_coverage.py --dagster-python`` checks the record against the installed
Dagster in ``make bench``. Accepted keywords are honoured: each has its own tests elsewhere."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import pytest

import asset2airflow
from asset2airflow import AssetOut, DefinitionError, job, op
from tests.test_dagster_api_coverage import load_coverage_script


@op
def _the_op() -> int:
    return 1


def _body() -> int:
    return 1


def _compose() -> Any:
    return _the_op()


@job
def _the_job() -> None:
    _the_op()


_REQUIRED: dict[str, tuple[dict[str, Any], Callable[..., Any]]] = {
    "asset": ({}, _body),
    "multi_asset": ({"outs": {"result": AssetOut()}}, _body),
    "graph_asset": ({}, _compose),
    "graph_multi_asset": ({"outs": {"result": AssetOut()}}, _compose),
    "op": ({}, _body),
    "job": ({}, _compose),
    "graph": ({}, _compose),
    "asset_check": ({"asset": "upstream"}, _body),
    "sensor": ({"job": _the_job}, _body),
    "schedule": ({"cron_schedule": "@daily", "job": _the_job}, _body),
}
"""The arguments each decorator needs, and a function it can decorate."""

_VALUES: dict[str, Any] = {
    "config_schema": {"n": int},
    "config": {},
    "can_subset": True,
    "op_tags": {"dagster/concurrency_key": "db"},
    "should_execute": lambda _context: True,
    "tags_fn": lambda _context: {},
    "required_resource_keys": {"db"},
    "metadata": {"owner": "data"},
    "environment_vars": {"A": "1"},
    "job_name": "the_job",
}
"""A plausible value to try each keyword with (where a refusal depends on the value, or where a
bare object is rejected as a bad value); the others are tried with ``object()``."""


def refusal(decorator: str, keyword: str) -> str | None:
    """The message our decorator raises for ``keyword``, or None when it takes it."""
    required, fn = _REQUIRED[decorator]
    arguments = {k: v for k, v in required.items() if k != keyword and not (
        keyword == "job_name" and k == "job"
    )}
    value = _VALUES.get(keyword, object())
    try:
        decorated = getattr(asset2airflow, decorator)(**arguments, **{keyword: value})
        if callable(decorated):
            decorated(fn)
    except DefinitionError as error:
        message = str(error)
        return message if keyword in message and "not built" in message else None
    except (TypeError, AttributeError, ValueError):
        return None  # the sentinel value is rejected as a value: the keyword is taken
    return None


def _recorded() -> dict[str, dict[str, list[str]]]:
    return load_coverage_script().load_decorator_keywords()


@pytest.mark.parametrize("decorator", sorted(_REQUIRED))
def test_every_dagster_keyword_is_accepted_or_refused_naming_the_alternative(
    decorator: str,
) -> None:
    recorded = _recorded()[decorator]
    ours = set(inspect.signature(getattr(asset2airflow, decorator)).parameters)
    for keyword in recorded["accepted"]:
        assert keyword in ours, f"@{decorator}: {keyword} is recorded accepted but not taken"
        assert refusal(decorator, keyword) is None, f"@{decorator}: {keyword} is refused"
    for keyword in recorded["refused"]:
        message = refusal(decorator, keyword)
        assert message is not None, f"@{decorator}({keyword}=...) is recorded refused but works"
        instead = message.split("not built", 1)[1].strip(" .;:")
        assert len(instead) > 20, message  # says what to do instead


def test_a_keyword_dagster_does_not_have_is_a_type_error_as_in_python() -> None:
    with pytest.raises(TypeError, match="asset\\(\\) got an unexpected keyword argument 'bogus'"):
        asset2airflow.asset(bogus=1)
