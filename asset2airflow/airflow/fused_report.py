"""What a fused task (``execution="fused"``) records, as plain JSON (no Airflow imports):

- the XCom report (key ``asset2airflow``): the per-step report's fields (``materializations``,
  ``checks``, ``error``, ``duration_seconds``, see ``events``) for the whole task, plus
  ``assets``: per asset key ``{"status", "try_number", "error", "duration_seconds"}`` where status
  is ``materialized``, ``failed``, ``blocked`` (stored, but a blocking check failed: no event),
  ``skipped`` (an input was not produced, or the code skipped) or ``not_selected``;
- the resume record in Airflow's task state store (scoped to the task instance of this run, so
  it survives retries): which assets materialized, with their event ``extra``, and how the try
  ended. A retry re-runs only the assets the failed tries did not materialize. While a try runs
  the record is also saved every few seconds (``Checkpoint``, outcome ``interrupted``), so a try
  that is killed before it can write its record is resumed as well.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from asset2airflow.airflow.events import check_to_json, ensure_strict_json, event_extras
from asset2airflow.errors import InvalidMetadataError
from asset2airflow.execution.plan import ExecutionStep
from asset2airflow.execution.step import StepOutcome

RESUME_KEY = "asset2airflow.fused"
"""Key of the resume record in the task state store."""
CHECKPOINT_SECONDS = 2.0
"""How often a running try saves what it materialized so far (short tries never do)."""
_RESUMABLE = ("failed", "interrupted")

MATERIALIZED, FAILED, BLOCKED, SKIPPED, NOT_SELECTED = (
    "materialized",
    "failed",
    "blocked",
    "skipped",
    "not_selected",
)


@dataclass
class EarlierTries:
    """What earlier failed tries of this task instance materialized (asset key -> extra)."""

    extras: dict[str, dict[str, Any]] = field(default_factory=dict)
    try_numbers: dict[str, int] = field(default_factory=dict)

    @classmethod
    def from_record(cls, record: Any) -> EarlierTries:
        """Only a failed (or killed: ``interrupted``) try is resumed from: after a success,
        clearing the task means "run it all again". Anything unreadable is treated as no record
        (everything runs)."""
        if not isinstance(record, Mapping) or record.get("outcome") not in _RESUMABLE:
            return cls()
        materialized = record.get("materialized")
        if not isinstance(materialized, Mapping):
            return cls()
        extras: dict[str, dict[str, Any]] = {}
        tries: dict[str, int] = {}
        for key, entry in materialized.items():
            if isinstance(entry, Mapping) and isinstance(entry.get("extra"), Mapping):
                extras[str(key)] = dict(entry["extra"])
                tries[str(key)] = int(entry.get("try_number") or 0)
        return cls(extras, tries)

    def done_steps(self, steps: Iterable[ExecutionStep]) -> set[str]:
        """Steps whose every asset materialized earlier: not run again."""
        return {
            s.name
            for s in steps
            if s.asset_keys and all(k.to_user_string() in self.extras for k in s.asset_keys)
        }


@dataclass
class FusedReport:
    """The outcome of one try of a fused task."""

    try_number: int
    statuses: dict[str, dict[str, Any]]
    extras: dict[str, dict[str, Any]]
    """Event ``extra`` of every asset materialized in this run (this try and earlier ones)."""
    checks: list[dict[str, Any]]
    errors: list[str]
    duration: float

    @property
    def failed(self) -> list[str]:
        return sorted(k for k, s in self.statuses.items() if s["status"] == FAILED)

    @property
    def blocked(self) -> list[str]:
        return sorted(k for k, s in self.statuses.items() if s["status"] == BLOCKED)

    def xcom(self, task_id: str) -> dict[str, Any]:
        summary = "; ".join(self.errors) or None
        return {
            "step": task_id,
            "execution": "fused",
            "try_number": self.try_number,
            "materializations": self.extras,
            "checks": self.checks,
            "error": summary,
            "duration_seconds": round(self.duration, 6),
            "assets": self.statuses,
        }

    def record(self) -> dict[str, Any]:
        tries = {k: s["try_number"] for k, s in self.statuses.items()}
        return resume_record("failed" if self.errors else "success", self.extras, tries)


def resume_record(
    outcome: str, extras: Mapping[str, Any], tries: Mapping[str, int]
) -> dict[str, Any]:
    """The task state store record: how the try ended and what has materialized (with the
    try that did it) in this run."""
    return {
        "outcome": outcome,
        "materialized": {
            key: {"extra": extra, "try_number": tries[key]} for key, extra in extras.items()
        },
    }


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
                extras = ensure_strict_json(event_extras(pending), f"step {pending.step.name!r}")
            except InvalidMetadataError:
                continue  # the report says why; not resumable
            blocked = {k.to_user_string() for k in pending.blocked_keys}
            for name, extra in extras.items():
                if name not in blocked:
                    self._extras[name] = extra
                    self._tries[name] = self._try_number
        self._pending.clear()
        self._save(resume_record("interrupted", self._extras, self._tries))
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
) -> FusedReport:
    """Per-asset statuses and event extras of a try. ``skipped_by_code``: step name -> reason,
    for steps whose code skipped (Airflow's skip exception) rather than failed."""
    statuses: dict[str, dict[str, Any]] = {
        key: {"status": NOT_SELECTED, "try_number": try_number, "error": None} for key in all_keys
    }
    extras: dict[str, dict[str, Any]] = {}
    checks: list[dict[str, Any]] = []
    for name, extra in earlier.extras.items():
        if name in statuses:
            statuses[name] = {
                "status": MATERIALIZED,
                "try_number": earlier.try_numbers.get(name, 0),
                "error": None,
            }
            extras[name] = extra
            checks.extend(extra.get("checks") or ())
    skipped = set(skipped_steps)
    for step in steps:
        if step.name in skipped:
            for key in step.asset_keys:
                statuses[key.to_user_string()] = {
                    "status": SKIPPED,
                    "try_number": try_number,
                    "error": "an asset it reads was not produced in this run",
                }
    errors: list[str] = []
    for outcome in outcomes:
        name = outcome.step.name
        try:
            step_extras = ensure_strict_json(event_extras(outcome), f"step {name!r}")
            checks.extend(
                ensure_strict_json(
                    [check_to_json(e) for e in outcome.check_evaluations], f"checks of {name!r}"
                )
            )
        except InvalidMetadataError as exc:  # Airflow could not store it: the asset failed
            outcome = replace(outcome, materializations=[], error=exc)
            step_extras = {}
        blocked = {k.to_user_string() for k in outcome.blocked_keys}
        for key in outcome.step.asset_keys:
            key_name = key.to_user_string()
            entry: dict[str, Any] = {
                "try_number": try_number,
                "error": None,
                "duration_seconds": round(outcome.duration, 6),
            }
            if key_name in blocked:
                entry["status"] = BLOCKED
                entry["error"] = "a blocking check failed"
            elif key_name in step_extras:
                entry["status"] = MATERIALIZED
                extras[key_name] = step_extras[key_name]
            elif name in skipped_by_code:
                entry["status"] = SKIPPED
                entry["error"] = skipped_by_code[name]
            else:
                entry["status"] = FAILED
                entry["error"] = str(outcome.error) if outcome.error else "not materialized"
            statuses[key_name] = entry
        if outcome.error is not None and name not in skipped_by_code:
            errors.append(f"{name}: {outcome.error}")
        if blocked:
            errors.append(f"{name}: blocking check failed for {sorted(blocked)}")
    return FusedReport(
        try_number,
        statuses,
        extras,
        checks,
        errors,
        sum(o.duration for o in outcomes),
    )
