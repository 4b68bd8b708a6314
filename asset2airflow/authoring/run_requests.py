"""What schedules and sensors return (``RunRequest``, ``SkipReason``, ``SensorResult``), their
default statuses, and ``TickResult``: one evaluation's outcome as plain data.

``tick_result`` turns whatever a schedule or sensor function returned (a value, a list, a
generator) into a ``TickResult``, raising an error naming the schedule/sensor for anything else.
No Airflow imports.
"""

from __future__ import annotations

import enum
import inspect
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import attrs

from asset2airflow.authoring.config import RunConfig, run_config_dict
from asset2airflow.authoring.dynamic_partitions import (
    AddDynamicPartitionsRequest,
    DeleteDynamicPartitionsRequest,
)
from asset2airflow.authoring.keys import AssetKey
from asset2airflow.errors import DefinitionError


class DefaultScheduleStatus(enum.Enum):
    """Whether a schedule runs as soon as Airflow sees it: its DAG is created unpaused
    (``RUNNING``) or paused (``STOPPED``, the default, as in Dagster)."""

    RUNNING = "RUNNING"
    STOPPED = "STOPPED"


class DefaultSensorStatus(enum.Enum):
    """Whether a sensor's DAG is created unpaused (``RUNNING``) or paused (``STOPPED``)."""

    RUNNING = "RUNNING"
    STOPPED = "STOPPED"


class DagsterRunStatus(enum.Enum):
    """A run's status (Dagster's names); Airflow DAG runs map onto ``SUCCESS``/``FAILURE``."""

    QUEUED = "QUEUED"
    NOT_STARTED = "NOT_STARTED"
    MANAGED = "MANAGED"
    STARTING = "STARTING"
    STARTED = "STARTED"
    SUCCESS = "SUCCESS"
    FAILURE = "FAILURE"
    CANCELING = "CANCELING"
    CANCELED = "CANCELED"


@dataclass(frozen=True)
class SkipReason:
    """Returned instead of run requests, saying why nothing runs (shown in the task log)."""

    skip_message: str | None = None


def _tags(tags: Mapping[str, Any] | None) -> dict[str, str]:
    """Run tags as strings (non-string values as JSON, as in Dagster)."""
    if tags is None:
        return {}
    if not isinstance(tags, Mapping):
        raise DefinitionError(f"RunRequest(tags={tags!r}): tags is a dict of strings")
    return {
        str(k): v if isinstance(v, str) else json.dumps(v, sort_keys=True, default=str)
        for k, v in tags.items()
    }


def _selected_keys(keys: Sequence[Any] | None) -> tuple[AssetKey, ...] | None:
    return None if keys is None else tuple(AssetKey.from_coercible(k) for k in keys)


@attrs.frozen(slots=False)
class RunRequest:
    """Start one run of the schedule's/sensor's job (in Airflow: one DAG run).

    ``run_key`` de-duplicates across evaluations: a sensor starts at most one run per key.
    ``run_config`` becomes the run's params (typed trigger-form fields), ``partition_key`` its
    partition, ``tags`` are shown on the run (its note) and in ``context.run.tags``, and
    ``asset_selection`` runs only those assets of the job.
    """

    run_key: str | None = None
    run_config: Mapping[str, Any] | RunConfig | None = None
    tags: Mapping[str, str] = attrs.field(default=None, converter=_tags)
    job_name: str | None = None
    asset_selection: tuple[AssetKey, ...] | None = attrs.field(
        default=None, converter=_selected_keys
    )
    stale_assets_only: bool = False
    partition_key: str | None = None
    asset_check_keys: Sequence[Any] | None = None
    config: dict[str, Any] = attrs.field(init=False, repr=False, eq=False)
    """``run_config`` as the plain dict shape."""

    @config.default
    def _config(self) -> dict[str, Any]:
        return run_config_dict(self.run_config)

    def __attrs_pre_init__(
        self,
        run_key: Any,
        run_config: Any,
        tags: Any,
        job_name: Any,
        asset_selection: Any,
        stale_assets_only: Any,
        partition_key: Any,
        asset_check_keys: Any,
    ) -> None:
        """What cannot be built or has the wrong type, before anything is converted."""
        if run_key is not None and not isinstance(run_key, str):
            raise DefinitionError(f"RunRequest(run_key={run_key!r}): run_key is a string")
        if stale_assets_only:
            raise DefinitionError(
                "RunRequest(stale_assets_only=True) is not built: Airflow does not track "
                "staleness. Pass asset_selection=[...] with the assets to run."
            )
        if asset_check_keys is not None:
            raise DefinitionError(
                "RunRequest(asset_check_keys=...) is not built: checks run inside their "
                "asset's task. Select the assets with asset_selection=[...]."
            )
        if partition_key is not None and not isinstance(partition_key, str):
            raise DefinitionError(
                f"RunRequest(partition_key={partition_key!r}): the key is a string"
            )
        if not isinstance(run_config, (Mapping, RunConfig, type(None))):
            raise DefinitionError(
                f"RunRequest(run_config={run_config!r}): pass a dict or a RunConfig"
            )


@dataclass(frozen=True)
class SensorResult:
    """Everything one sensor evaluation decided: runs to start, the new cursor, dynamic
    partition keys to add or delete, or why it skipped."""

    run_requests: Sequence[RunRequest] | None = None
    skip_reason: SkipReason | str | None = None
    cursor: str | None = None
    dynamic_partitions_requests: (
        Sequence[AddDynamicPartitionsRequest | DeleteDynamicPartitionsRequest] | None
    ) = None
    asset_events: Sequence[Any] | None = None
    automation_condition_evaluations: Sequence[Any] | None = None

    def __post_init__(self) -> None:
        if self.asset_events or self.automation_condition_evaluations:
            raise DefinitionError(
                "SensorResult(asset_events=... / automation_condition_evaluations=...) is not "
                "built: report materializations from the assets that make them."
            )
        if self.run_requests and self.skip_reason is not None:
            raise DefinitionError(
                "SensorResult has both run_requests and a skip_reason; return one of them."
            )
        for request in self.dynamic_partitions_requests or ():
            if not isinstance(
                request, (AddDynamicPartitionsRequest, DeleteDynamicPartitionsRequest)
            ):
                raise DefinitionError(
                    f"SensorResult(dynamic_partitions_requests=...) got {request!r}; use "
                    "partitions_def.build_add_request([...]) / build_delete_request([...])."
                )


_UNSET: Any = object()


@dataclass(frozen=True)
class TickResult:
    """One evaluation: the run requests, or why none (``skip_message``), and the cursor to
    store (``cursor_set`` tells whether the evaluation set one; ``None`` clears it)."""

    run_requests: tuple[RunRequest, ...] = ()
    skip_message: str | None = None
    cursor: str | None = None
    cursor_set: bool = False
    dynamic_partitions_requests: tuple[
        AddDynamicPartitionsRequest | DeleteDynamicPartitionsRequest, ...
    ] = ()


def tick_result(
    value: Any, what: str, *, allow_run_config: bool, cursor: Any = _UNSET
) -> TickResult:
    """Normalize a schedule's or sensor's return value (``what`` names it in errors).

    ``allow_run_config``: a schedule may return a run config dict (one run with that config).
    ``cursor``: what the context's cursor was set to (``update_cursor``), if it was.
    """
    if inspect.isgenerator(value) or (
        isinstance(value, Iterable) and not isinstance(value, (str, bytes, Mapping))
    ):
        items = list(value)
    else:
        items = [value]
    requests: list[RunRequest] = []
    skips: list[str | None] = []
    results: list[SensorResult] = []
    for item in items:
        if item is None:
            continue
        if isinstance(item, RunRequest):
            requests.append(item)
        elif isinstance(item, SkipReason):
            skips.append(item.skip_message)
        elif isinstance(item, SensorResult) and not allow_run_config:
            results.append(item)
        elif isinstance(item, (Mapping, RunConfig)) and allow_run_config:
            requests.append(RunRequest(run_config=item))
        else:
            allowed = "RunRequest, SkipReason" + (
                ", a run config dict" if allow_run_config else ", SensorResult"
            )
            raise DefinitionError(
                f"{what} returned {item!r} ({type(item).__name__}); return or yield {allowed} "
                "(or a list of run requests)."
            )
    if results:
        if len(items) != 1:
            raise DefinitionError(
                f"{what} returned a SensorResult together with other values; return the "
                "SensorResult alone (put the run requests in it)."
            )
        return _from_sensor_result(results[0], what, cursor)
    if requests and skips:
        raise DefinitionError(f"{what} returned both run requests and a SkipReason; return one.")
    skip = (skips[0] if skips else None) if not requests else None
    if not requests and not skips:
        skip = f"{what} requested no runs"
    return TickResult(
        tuple(requests),
        skip,
        None if cursor is _UNSET else cursor,
        cursor is not _UNSET,
    )


def _from_sensor_result(result: SensorResult, what: str, cursor: Any) -> TickResult:
    if result.cursor is not None and cursor is not _UNSET:
        raise DefinitionError(
            f"{what} both called context.update_cursor(...) and returned SensorResult(cursor="
            "...); set the cursor one way."
        )
    requests = tuple(result.run_requests or ())
    for request in requests:
        if not isinstance(request, RunRequest):
            raise DefinitionError(f"{what}: SensorResult.run_requests holds {request!r}")
    skip = result.skip_reason
    message = skip.skip_message if isinstance(skip, SkipReason) else skip
    if not requests and message is None:
        message = f"{what} requested no runs"
    if result.cursor is not None:
        cursor = result.cursor
    return TickResult(
        requests,
        None if requests else message,
        None if cursor is _UNSET else cursor,
        cursor is not _UNSET,
        tuple(result.dynamic_partitions_requests or ()),
    )
