"""What a step's outcome becomes in Airflow, built as the record's dataclasses
(``asset2airflow.airflow.record``): the run record of a per-asset task try (XCom key
``asset2airflow``) and the asset event ``extra`` (``EventExtra``) of each materialized asset.
No Airflow imports.

Metadata values are converted to JSON where the user writes them
(``asset2airflow.authoring.metadata``): NaN and infinite floats are the strings "NaN",
"Infinity", "-Infinity" (also nested in ``json``/``table`` values), timestamps ISO-8601 strings
in UTC, sets sorted lists.

Airflow accepts strict JSON only and fails the task at the push, after the data was stored,
naming nothing. So every metadata value is checked again here (``_metadata_json``) and the
whole payload last (``ensure_strict_json``), both raising ``InvalidMetadataError`` naming the
asset (or check) and the key BEFORE anything is pushed: a value can still slip through when it
was built as ``MetadataValue(kind, value)`` directly or mutated after it was normalized.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from asset2airflow.airflow.record import (
    AssetRun,
    AssetStatus,
    CheckRecord,
    EventExtra,
    RunRecord,
    TaskKind,
    TryOutcome,
)
from asset2airflow.authoring.metadata import MetadataValue, metadata_to_json
from asset2airflow.authoring.results import AssetCheckEvaluation
from asset2airflow.errors import InvalidMetadataError
from asset2airflow.execution.step import StepOutcome


def check_record(evaluation: AssetCheckEvaluation, partition: str | None) -> CheckRecord:
    asset = evaluation.asset_key.to_user_string()
    owner = f"asset check {f'{asset}:{evaluation.check_name}'!r}"
    description = evaluation.description
    return CheckRecord(
        asset=asset,
        name=evaluation.check_name,
        passed=bool(evaluation.passed),
        severity=evaluation.severity,
        blocking=bool(evaluation.blocking),
        description=str(description) if description is not None else None,
        metadata=_metadata_json(evaluation.metadata, owner),
        partition=partition,
    )


def check_to_json(evaluation: AssetCheckEvaluation, partition: str | None = None) -> dict[str, Any]:
    return check_record(evaluation, partition).to_json()


def extras_of(outcome: StepOutcome) -> dict[str, EventExtra]:
    """Per materialized asset (by key string): the asset event ``extra``."""
    extras: dict[str, EventExtra] = {}
    for materialization in outcome.materializations:
        key = materialization.asset_key
        name = key.to_user_string()
        partition = materialization.partition
        extras[name] = EventExtra(
            partition=partition,
            metadata=_metadata_json(materialization.metadata, f"asset {name!r}"),
            checks=tuple(
                check_record(e, partition) for e in outcome.check_evaluations if e.asset_key == key
            ),
            code_version=materialization.code_version,
            data_version=materialization.data_version,
        )
    return extras


def event_extras(outcome: StepOutcome) -> dict[str, dict[str, Any]]:
    """``extras_of`` as JSON (what Airflow stores)."""
    return {k: e.to_json() for k, e in extras_of(outcome).items()}


def step_run_record(
    outcome: StepOutcome,
    try_number: int = 0,
    partition: str | None = None,
    task_id: str | None = None,
    task_keys: Sequence[str] = (),
) -> RunRecord:
    """The run record of one try of a per-asset task (also when it failed): every asset of its
    step materialized, blocked (a blocking check failed), failed or skipped (not produced); the
    task's other assets (``task_keys``) were not selected."""
    extras = extras_of(outcome)
    blocked = {k.to_user_string() for k in outcome.blocked_keys}
    error = str(outcome.error) if outcome.error is not None else None
    assets = []
    for key in outcome.step.asset_keys:
        name = key.to_user_string()
        checks = tuple(
            check_record(e, partition) for e in outcome.check_evaluations if e.asset_key == key
        )
        if name in blocked:
            run = AssetRun(
                name,
                AssetStatus.BLOCKED,
                partition,
                try_number,
                error="a blocking check failed",
                checks=checks,
            )
        elif name in extras:
            run = AssetRun.materialized(name, extras[name], try_number)
        elif error is None:
            run = AssetRun(
                name,
                AssetStatus.SKIPPED,
                partition,
                try_number,
                error="not produced",
                checks=checks,
            )
        else:
            run = AssetRun(
                name, AssetStatus.FAILED, partition, try_number, error=error, checks=checks
            )
        assets.append(run)
    ran = {a.key for a in assets}
    assets.extend(
        AssetRun(k, AssetStatus.NOT_SELECTED, partition, try_number)
        for k in task_keys
        if k not in ran
    )
    return RunRecord(
        execution=TaskKind.PER_ASSET,
        task_id=task_id or outcome.step.name,
        try_number=try_number,
        partition=partition,
        outcome=TryOutcome.SUCCESS if outcome.success else TryOutcome.FAILED,
        assets=tuple(assets),
        error=error,
        duration_seconds=round(outcome.duration, 6),
    )


def outcome_to_json(
    outcome: StepOutcome, try_number: int = 0, partition: str | None = None
) -> dict[str, Any]:
    """``step_run_record`` as JSON: what the task pushes to XCom."""
    return step_run_record(outcome, try_number, partition).to_json()


def _metadata_json(metadata: Mapping[str, MetadataValue], owner: str) -> dict[str, Any]:
    """``metadata_to_json``, each value checked to be strict JSON so an error names the key."""
    converted = metadata_to_json(metadata)
    for key, value in converted.items():
        try:
            json.dumps(value, allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise InvalidMetadataError(
                f"metadata {key!r} of {owner} cannot be stored by Airflow as JSON ({exc}): "
                f"{_REMEDY}"
            ) from exc
    return converted


def ensure_strict_json(value: Any, what: str) -> Any:
    """``value`` if Airflow can store it (strict JSON), else an error naming ``what`` and where
    in ``value`` it failed (e.g. ``'materializations' -> 'sales/raw' -> 'partition'``)."""
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError) as exc:
        where = " -> ".join(_first_unstorable(value) or [])
        raise InvalidMetadataError(
            f"the results of {what} cannot be stored by Airflow ({exc}"
            f"{f' at {where}' if where else ''}): {_REMEDY}"
        ) from exc
    return value


_REMEDY = (
    "a metadata value was built with MetadataValue(kind, value) directly or changed after it "
    "was set; use the MetadataValue.<kind>(...) constructors or plain values, which are "
    "converted to JSON where they are written."
)


def _first_unstorable(value: Any) -> list[str] | None:
    """The path of keys/indexes to the first item of ``value`` that is not strict JSON."""
    if isinstance(value, dict):
        items: list[tuple[str, Any]] = [(repr(k), v) for k, v in value.items()]
        if any(not isinstance(k, (str, int, float)) and k is not None for k in value):
            return ["(a key that is not a string or number)"]
    elif isinstance(value, (list, tuple)):
        items = [(f"[{i}]", v) for i, v in enumerate(value)]
    else:
        try:
            json.dumps(value, allow_nan=False)
        except (TypeError, ValueError):
            return [f"{type(value).__name__} {value!r}"[:80]]
        return None
    for label, item in items:
        inner = _first_unstorable(item)
        if inner is not None:
            return [label, *inner]
    return None
