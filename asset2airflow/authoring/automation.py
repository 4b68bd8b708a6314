"""Automation conditions: when an asset should run on its own (Dagster's declarative automation).

Only the conditions Airflow can express are built: ``eager()``, ``on_cron(cron, tz)``,
``on_missing()``, ``any_deps_updated()`` and ``&``/``|`` of them. They become the schedule of
the asset's DAG (asset-triggered, cron, or ``@once``; see ``asset2airflow.airflow.automation``).
Every other Dagster condition is refused where it is written, naming it and what to use instead,
rather than accepted and ignored. No Airflow imports.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NoReturn

from asset2airflow.authoring.cron import check_cron, check_timezone
from asset2airflow.errors import DefinitionError


class ConditionKind(str, enum.Enum):
    EAGER = "eager"
    ON_CRON = "on_cron"
    ON_MISSING = "on_missing"
    ANY_DEPS_UPDATED = "any_deps_updated"
    AND = "and"
    OR = "or"


_SUPPORTED = "eager(), on_cron(cron, cron_timezone), on_missing(), any_deps_updated() and & / |"


@dataclass(frozen=True)
class AutomationCondition:
    """A leaf (``eager()``, ``on_cron(...)``, ``on_missing()``, ``any_deps_updated()``) or an
    ``&``/``|`` of conditions (``operands``). Compose with ``&`` and ``|`` as in Dagster."""

    kind: ConditionKind
    cron_schedule: str | None = None
    cron_timezone: str = "UTC"
    operands: tuple[AutomationCondition, ...] = ()
    label: str | None = None

    # --- the built leaves ---------------------------------------------------------------------

    @staticmethod
    def eager() -> AutomationCondition:
        """Run when an upstream asset updates (a root asset: once, when first enabled)."""
        return AutomationCondition(ConditionKind.EAGER)

    @staticmethod
    def on_cron(cron_schedule: str, cron_timezone: str = "UTC") -> AutomationCondition:
        """Run on a cron schedule (and, with upstreams in other DAGs, when they update)."""
        return AutomationCondition(
            ConditionKind.ON_CRON,
            check_cron(cron_schedule, "AutomationCondition.on_cron"),
            check_timezone(cron_timezone, "AutomationCondition.on_cron"),
        )

    @staticmethod
    def on_missing() -> AutomationCondition:
        """Run when the asset was never materialized: a root asset once; an asset with
        upstreams when they all have landed."""
        return AutomationCondition(ConditionKind.ON_MISSING)

    @staticmethod
    def any_deps_updated() -> AutomationCondition:
        """Run whenever any upstream asset (in another DAG) updates."""
        return AutomationCondition(ConditionKind.ANY_DEPS_UPDATED)

    # --- composition ----------------------------------------------------------------------------

    def __and__(self, other: object) -> AutomationCondition:
        return _combine(ConditionKind.AND, self, other, "&")

    def __or__(self, other: object) -> AutomationCondition:
        return _combine(ConditionKind.OR, self, other, "|")

    def __invert__(self) -> AutomationCondition:
        _refuse(
            "~ (not)",
            "Airflow schedules cannot wait for something NOT to happen; drop the negation",
        )

    def with_label(self, label: str | None) -> AutomationCondition:
        """The same condition with a label (shown in the DAG's docs)."""
        return AutomationCondition(
            self.kind, self.cron_schedule, self.cron_timezone, self.operands, label
        )

    @property
    def is_cron(self) -> bool:
        return self.kind is ConditionKind.ON_CRON

    @property
    def has_cron(self) -> bool:
        """Whether the condition runs on a cron anywhere in it (then it needs no upstream)."""
        return self.is_cron or any(o.has_cron for o in self.operands)

    def __str__(self) -> str:
        if self.kind is ConditionKind.ON_CRON:
            return f"on_cron({self.cron_schedule!r}, {self.cron_timezone!r})"
        if self.operands:
            joiner = " & " if self.kind is ConditionKind.AND else " | "
            return "(" + joiner.join(str(o) for o in self.operands) + ")"
        return f"{self.kind.value}()"


def _combine(
    kind: ConditionKind, left: AutomationCondition, right: object, symbol: str
) -> AutomationCondition:
    if not isinstance(right, AutomationCondition):
        raise DefinitionError(
            f"AutomationCondition {symbol} {right!r}: both sides must be AutomationConditions."
        )
    operands: list[AutomationCondition] = []
    for side in (left, right):
        operands.extend(side.operands if side.kind is kind else (side,))
    return AutomationCondition(kind, operands=tuple(operands))


def _refuse(what: str, instead: str) -> NoReturn:
    raise DefinitionError(
        f"AutomationCondition {what} has no Airflow translation: {instead}. Built conditions: "
        f"{_SUPPORTED}."
    )


# Dagster's other conditions, each refused with what to do instead.
_UNBUILT: dict[str, str] = {
    "missing": "use on_missing()",
    "in_progress": "Airflow does not start a DAG run while max_active_runs is reached",
    "newly_updated": "use any_deps_updated() on the downstream asset",
    "newly_requested": "use any_deps_updated() on the downstream asset",
    "newly_missing": "use on_missing()",
    "cron_tick_passed": "use on_cron(cron)",
    "all_deps_updated_since_cron": "use on_cron(cron) (it also runs when upstreams update)",
    "any_deps_missing": "Airflow triggers on events, not on their absence",
    "any_deps_in_progress": "Airflow triggers on events, not on runs in progress",
    "all_deps_match": "use eager() or on_missing() (all upstreams landed)",
    "any_deps_match": "use any_deps_updated()",
    "all_deps_blocking_checks_passed": "blocking checks already stop events: use eager()",
    "any_checks_match": "checks run inside their asset's task",
    "all_checks_match": "checks run inside their asset's task",
    "backfill_in_progress": "Airflow backfills are separate runs",
    "code_version_changed": "Airflow runs on events and crons, not on code versions",
    "data_version_changed": "Airflow runs on events and crons, not on data versions",
    "execution_failed": "retry with retry_policy=RetryPolicy(...)",
    "initial_evaluation": "use on_missing() for a first run",
    "in_latest_time_window": "partitioned assets run per partition on their own timetable",
    "will_be_requested": "Airflow triggers downstream DAGs through asset events",
    "any_downstream_conditions": "give the downstream assets their own conditions",
    "asset_matches": "conditions apply to the asset they are attached to",
    "run_in_progress": "Airflow does not start a DAG run while max_active_runs is reached",
    "on_asset_check_evaluation": "checks run inside their asset's task",
}


def _unbuilt(name: str, instead: str) -> Callable[..., Any]:
    def refuse(*_args: Any, **_kwargs: Any) -> NoReturn:
        _refuse(f"{name}()", instead)

    refuse.__name__ = name
    return staticmethod(refuse)


for _name, _instead in _UNBUILT.items():
    setattr(AutomationCondition, _name, _unbuilt(_name, _instead))

for _method in (
    "since",
    "newly_true",
    "replace",
    "without",
    "allow",
    "ignore",
    "since_last_handled",
):

    def _refuse_method(
        self: AutomationCondition, *_a: Any, _m: str = _method, **_k: Any
    ) -> NoReturn:
        _refuse(f".{_m}()", "use the built conditions as they are")

    setattr(AutomationCondition, _method, _refuse_method)
