"""AssetSelection and define_asset_job: composition, resolution and errors."""

from __future__ import annotations

import pytest

from asset2airflow import (
    AssetKey,
    AssetSelection,
    Definitions,
    DuplicateKeyError,
    SelectionError,
    asset,
    define_asset_job,
)


@asset(group_name="raw")
def events() -> int:
    return 1


@asset(group_name="raw")
def users() -> int:
    return 1


@asset(group_name="marts")
def sessions(events: int, users: int) -> int:
    return events + users


@asset(group_name="marts")
def retention(sessions: int) -> int:
    return sessions


DEFS = Definitions(assets=[events, users, sessions, retention])


def names(selection: AssetSelection) -> list[str]:
    return sorted(k.to_user_string() for k in selection.resolve(DEFS.asset_graph))


def test_selection_algebra() -> None:
    assert names(AssetSelection.all()) == ["events", "retention", "sessions", "users"]
    assert names(AssetSelection.groups("raw")) == ["events", "users"]
    assert names(AssetSelection.assets(sessions, "users")) == ["sessions", "users"]
    assert names(AssetSelection.groups("marts") - AssetSelection.assets("retention")) == [
        "sessions"
    ]
    assert names(AssetSelection.groups("raw") & AssetSelection.assets("users")) == ["users"]
    assert names(AssetSelection.assets("sessions").upstream()) == ["events", "sessions", "users"]
    assert names(AssetSelection.assets("users").downstream()) == ["retention", "sessions", "users"]


def test_job_selection_forms_and_errors() -> None:
    assert define_asset_job("all_assets").selection == AssetSelection.all()
    job = define_asset_job("marts_job", ["sessions", AssetKey("retention")])
    assert names(job.selection) == ["retention", "sessions"]
    with pytest.raises(SelectionError, match=r"job 'typo_job': .*\['sesions'\]"):
        Definitions(
            assets=[events, users, sessions], jobs=[define_asset_job("typo_job", "sesions")]
        )
    with pytest.raises(DuplicateKeyError, match="job 'twice' is defined twice"):
        Definitions(assets=[events], jobs=[define_asset_job("twice"), define_asset_job("twice")])
