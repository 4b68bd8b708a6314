"""What a fused task (``execution="fused"``) records, through the record
(``asset2airflow.airflow.record``, no Airflow imports):

- the run record (XCom key ``asset2airflow``), as every task writes: per asset of the DAG its
  status (materialized, failed, blocked: stored but a blocking check failed, skipped: an input
  was not produced or the code skipped, not selected), try number, error, metadata and checks;
- the resume record in Airflow's task state store (scoped to the task instance of this run, so
  it survives retries): a run record holding the assets materialized so far in the run (with the
  try that did it) and how the try ended. A retry re-runs only the assets the failed tries did
  not materialize. While a try runs the record is also saved every few seconds (``Checkpoint``,
  outcome ``interrupted``), so a try that is killed before it can write it is resumed as well.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from asset2airflow.airflow.events import check_record, ensure_strict_json, extras_of
from asset2airflow.airflow.record import (
    AssetRun,
    AssetStatus,
    EventExtra,
    RecordError,
    RunRecord,
    TaskKind,
    TryOutcome,
)
from asset2airflow.errors import InvalidMetadataError
from asset2airflow.execution.plan import ExecutionStep
from asset2airflow.execution.step import StepOutcome

RESUME_KEY = "asset2airflow.fused"
"""Key of the resume record in the task state store."""
CHECKPOINT_SECONDS = 2.0
"""How often a running try saves what it materialized so far (short tries never do)."""
_RESUMABLE = (TryOutcome.FAILED, TryOutcome.INTERRUPTED)


@dataclass
class EarlierTries:
    """What earlier failed tries of this task instance materialized (asset key -> extra)."""

    extras: dict[str, EventExtra] = field(default_factory=dict)
    try_numbers: dict[str, int] = field(default_factory=dict)

    @classmethod
    def from_record(cls, value: Any) -> EarlierTries:
        """Only a failed (or killed: ``interrupted``) try is resumed from: after a success,
        clearing the task means "run it all again". Anything unreadable is treated as no record
        (everything runs)."""
        try:
            record = RunRecord.from_json(_upgrade_resume_v1(value), "fused resume record")
        except (RecordError, KeyError, TypeError, ValueError):
            return cls()
        if record.outcome not in _RESUMABLE:
            return cls()
        done = [a for a in record.assets if a.status is AssetStatus.MATERIALIZED]
        return cls({a.key: a.event_extra() for a in done}, {a.key: a.try_number for a in done})

    def done_steps(self, steps: Iterable[ExecutionStep]) -> set[str]:
        """Steps whose every asset materialized earlier: not run again."""
        return {
            s.name
            for s in steps
            if s.asset_keys and all(k.to_user_string() in self.extras for k in s.asset_keys)
        }


def _upgrade_resume_v1(value: Any) -> Any:
    """Version 1 of the resume record: ``{"outcome", "materialized": {key: {"extra",
    "try_number"}}}``, as a run record."""
    if not isinstance(value, Mapping) or "materialized" not in value or "version" in value:
        return value
    materialized = value["materialized"]
    if not isinstance(materialized, Mapping):
        return None
    assets = {
        str(k): AssetRun.materialized(
            str(k), EventExtra.from_json(e["extra"]), int(e["try_number"])
        ).to_json()
        for k, e in materialized.items()
    }
    return resume_record(TryOutcome(value["outcome"]), {}, {}).to_json() | {"assets": assets}


@dataclass
class FusedReport:
    """The outcome of one try of a fused task."""

    try_number: int
    assets: dict[str, AssetRun]
    """Every asset of the task (materialized ones: in this try or an earlier one)."""
    errors: list[str]
    duration: float
    partition: str | None = None

    @property
    def statuses(self) -> dict[str, dict[str, Any]]:
        return {k: a.to_json() for k, a in self.assets.items()}

    @property
    def extras(self) -> dict[str, dict[str, Any]]:
        """Event ``extra`` of every asset materialized in this run (this try and earlier)."""
        return {k: e.to_json() for k, e in self.event_extras.items()}

    @property
    def event_extras(self) -> dict[str, EventExtra]:
        return {
            k: a.event_extra()
            for k, a in self.assets.items()
            if a.status is AssetStatus.MATERIALIZED
        }

    def _with(self, status: AssetStatus) -> list[str]:
        return sorted(k for k, a in self.assets.items() if a.status is status)

    @property
    def failed(self) -> list[str]:
        return self._with(AssetStatus.FAILED)

    @property
    def blocked(self) -> list[str]:
        return self._with(AssetStatus.BLOCKED)

    def run_record(self, task_id: str) -> RunRecord:
        return RunRecord(
            execution=TaskKind.FUSED,
            task_id=task_id,
            try_number=self.try_number,
            partition=self.partition,
            outcome=TryOutcome.FAILED if self.errors else TryOutcome.SUCCESS,
            assets=tuple(self.assets[k] for k in sorted(self.assets)),
            error="; ".join(self.errors) or None,
            duration_seconds=round(self.duration, 6),
        )

    def xcom(self, task_id: str) -> dict[str, Any]:
        return self.run_record(task_id).to_json()

    def record(self) -> dict[str, Any]:
        outcome = TryOutcome.FAILED if self.errors else TryOutcome.SUCCESS
        tries = {k: a.try_number for k, a in self.assets.items()}
        return resume_record(outcome, self.event_extras, tries).to_json()


def resume_record(
    outcome: TryOutcome, extras: Mapping[str, EventExtra], tries: Mapping[str, int]
) -> RunRecord:
    """The task state store record: how the try ended and what has materialized (with the
    try that did it) in this run."""
    return RunRecord(
        execution=TaskKind.FUSED,
        task_id="",
        try_number=max(tries.values(), default=0),
        partition=next((e.partition for e in extras.values()), None),
        outcome=outcome,
        assets=tuple(AssetRun.materialized(k, extras[k], tries[k]) for k in sorted(extras)),
    )


class Checkpoint:
    """Saves, at most every ``interval`` seconds while a try runs, what has materialized in the
    run so far (``save`` writes the task state store). Fed each finished step; the steps'
    events are converted only when a save is due, so a short try pays nothing."""

    def __init__(
        self,
        save: Callable[[dict[str, Any]], None],
        earlier: EarlierTries,
        try_number: int,
        interval: float = CHECKPOINT_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._save = save
        self._extras = dict(earlier.extras)
        self._tries = dict(earlier.try_numbers)
        self._try_number = try_number
        self._interval = interval
        self._clock = clock
        self._last = clock()
        self._pending: list[StepOutcome] = []

    def finished(self, outcome: StepOutcome) -> None:
        self._pending.append(outcome)
        now = self._clock()
        if now - self._last < self._interval:
            return
        for pending in self._pending:
            try:
                extras = extras_of(pending)
                ensure_strict_json({k: e.to_json() for k, e in extras.items()}, "checkpoint")
            except InvalidMetadataError:
                continue  # the report says why; not resumable
            blocked = {k.to_user_string() for k in pending.blocked_keys}
            for name, extra in extras.items():
                if name not in blocked:
                    self._extras[name] = extra
                    self._tries[name] = self._try_number
        self._pending.clear()
        self._save(resume_record(TryOutcome.INTERRUPTED, self._extras, self._tries).to_json())
        self._last = now


def fused_report(
    task_id: str,
    all_keys: Sequence[str],
    steps: Sequence[ExecutionStep],
    outcomes: Sequence[StepOutcome],
    skipped_steps: Iterable[str],
    earlier: EarlierTries,
    try_number: int,
    skipped_by_code: Mapping[str, str],
    partition: str | None = None,
) -> FusedReport:
    """Per-asset statuses and event extras of a try. ``skipped_by_code``: step name -> reason,
    for steps whose code skipped (Airflow's skip exception) rather than failed."""
    assets: dict[str, AssetRun] = {
        key: AssetRun(key, AssetStatus.NOT_SELECTED, partition, try_number) for key in all_keys
    }
    for name, extra in earlier.extras.items():
        if name in assets:
            assets[name] = AssetRun.materialized(name, extra, earlier.try_numbers.get(name, 0))
    skipped = set(skipped_steps)
    for step in steps:
        if step.name in skipped:
            for key in step.asset_keys:
                assets[key.to_user_string()] = AssetRun(
                    key.to_user_string(),
                    AssetStatus.SKIPPED,
                    partition,
                    try_number,
                    error="an asset it reads was not produced in this run",
                )
    errors: list[str] = []
    for outcome in outcomes:
        name = outcome.step.name
        try:
            step_extras = extras_of(outcome)
            ensure_strict_json({k: e.to_json() for k, e in step_extras.items()}, f"step {name!r}")
        except InvalidMetadataError as exc:  # Airflow could not store it: the asset failed
            outcome = replace(outcome, materializations=[], check_evaluations=[], error=exc)
            step_extras = {}
        blocked = {k.to_user_string() for k in outcome.blocked_keys}
        # A blocked asset has no event extra: its checks come from the evaluations.
        checks_of = {
            k: tuple(
                check_record(e, partition)
                for e in outcome.check_evaluations
                if e.asset_key.to_user_string() == k
            )
            for k in blocked
        }
        duration = round(outcome.duration, 6)
        for key in outcome.step.asset_keys:
            key_name = key.to_user_string()
            if key_name in blocked:
                run = AssetRun(
                    key_name,
                    AssetStatus.BLOCKED,
                    partition,
                    try_number,
                    error="a blocking check failed",
                    checks=checks_of[key_name],
                    duration_seconds=duration,
                )
            elif key_name in step_extras:
                run = AssetRun.materialized(
                    key_name, step_extras[key_name], try_number, duration_seconds=duration
                )
            elif name in skipped_by_code:
                run = AssetRun(
                    key_name,
                    AssetStatus.SKIPPED,
                    partition,
                    try_number,
                    error=skipped_by_code[name],
                    duration_seconds=duration,
                )
            else:
                error = str(outcome.error) if outcome.error else "not materialized"
                run = AssetRun(
                    key_name,
                    AssetStatus.FAILED,
                    partition,
                    try_number,
                    error=error,
                    duration_seconds=duration,
                )
            assets[key_name] = run
        if outcome.error is not None and name not in skipped_by_code:
            errors.append(f"{name}: {outcome.error}")
        if blocked:
            errors.append(f"{name}: blocking check failed for {sorted(blocked)}")
    return FusedReport(try_number, assets, errors, sum(o.duration for o in outcomes), partition)
