"""Automation conditions -> the schedule of a DAG, as plain data (no Airflow imports).

Airflow schedules DAGs, not assets, so the conditions of a DAG's assets must agree (assets
without a condition follow the others). ``U`` below is the DAG's upstream assets in other DAGs:

- no condition: ``AssetAll(U)`` (manual when ``U`` is empty);
- ``eager()``: ``AssetAny(U)``; a root DAG: ``@once``;
- ``any_deps_updated()``: ``AssetAny(U)`` (an error without ``U``: nothing would trigger it);
- ``on_missing()``: ``AssetAll(U)`` (all upstreams landed); a root DAG: ``@once``;
- ``on_cron(c, tz)``: ``CronTriggerTimetable(c, tz)``, with ``U`` an ``AssetOrTimeSchedule``
  of it and ``AssetAll(U)``;
- ``a | b``: either: asset parts ``AssetAny(...)``, several crons
  ``MultipleCronTriggerTimetable``, crons and assets ``AssetOrTimeSchedule``;
- ``a & b``: asset parts ``AssetAll(...)``; a cron AND anything else is refused (Airflow cannot
  wait for both).

What is approximated (documented in the README): Airflow has no "missing" or "in progress"
state, so ``eager()`` also runs when one upstream updated while another was never materialized,
and ``on_missing()`` with upstreams runs again each time they all update.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from asset2airflow.asset_graph.graph import AssetGraph
from asset2airflow.authoring.automation import AutomationCondition, ConditionKind
from asset2airflow.authoring.keys import AssetKey
from asset2airflow.errors import DefinitionError


class ConditionOp(enum.Enum):
    ALL = "AssetAll"
    ANY = "AssetAny"


@dataclass(frozen=True)
class Condition:
    """``AssetAll``/``AssetAny`` of leaves (asset keys, or ``AssetRefPlan``s once planned) and
    nested conditions."""

    op: ConditionOp
    items: tuple[Any, ...]

    def map(self, leaf: Callable[[Any], Any]) -> Condition:
        return Condition(
            self.op, tuple(i.map(leaf) if isinstance(i, Condition) else leaf(i) for i in self.items)
        )


def _join(op: ConditionOp, parts: Sequence[Condition]) -> Condition:
    """``op`` of ``parts``, flattened (a part with the same op, or of one item, is inlined),
    without repeats."""
    items: list[Any] = []
    for part in parts:
        inlined = part.items if part.op is op or len(part.items) == 1 else (part,)
        for item in inlined:
            if item not in items:
                items.append(item)
    return Condition(op, tuple(items))


@dataclass(frozen=True)
class AutomationPlan:
    """A DAG's schedule from its assets' conditions: ``crons`` (one timezone), an asset
    ``condition`` (``None``: the default ``AssetAll`` of upstreams), or ``once``."""

    crons: tuple[str, ...] = ()
    timezone: str = "UTC"
    condition: Condition | None = None
    once: bool = False
    implicit_assets: bool = field(default=False, compare=False)

    @property
    def cron(self) -> str | None:
        return self.crons[0] if self.crons else None


def _shape(
    condition: AutomationCondition, upstream: tuple[AssetKey, ...], who: str
) -> AutomationPlan:
    kind = condition.kind
    all_up = Condition(ConditionOp.ALL, upstream) if upstream else None
    any_up = Condition(ConditionOp.ANY, upstream) if upstream else None
    if kind is ConditionKind.EAGER:
        return AutomationPlan(condition=any_up) if upstream else AutomationPlan(once=True)
    if kind is ConditionKind.ANY_DEPS_UPDATED:
        if not upstream:
            raise DefinitionError(
                f"{who}: AutomationCondition.any_deps_updated() but its DAG reads no asset of "
                "another DAG, so nothing would ever trigger it. Use on_cron(...) or eager(), or "
                "put the upstream assets in another group or job."
            )
        return AutomationPlan(condition=any_up)
    if kind is ConditionKind.ON_MISSING:
        return AutomationPlan(condition=all_up) if upstream else AutomationPlan(once=True)
    if kind is ConditionKind.ON_CRON:
        assert condition.cron_schedule is not None
        return AutomationPlan(
            (condition.cron_schedule,), condition.cron_timezone, all_up, implicit_assets=True
        )
    parts = [_shape(o, upstream, who) for o in condition.operands]
    return _or(parts, condition, who) if kind is ConditionKind.OR else _and(parts, condition, who)


def _timezone(parts: Sequence[AutomationPlan], condition: AutomationCondition, who: str) -> str:
    zones = sorted({p.timezone for p in parts if p.crons})
    if len(zones) > 1:
        raise DefinitionError(
            f"{who}: {condition} mixes cron timezones {zones}; an Airflow timetable has one "
            "timezone. Use one cron_timezone."
        )
    return zones[0] if zones else "UTC"


def _refuse_once(parts: Sequence[AutomationPlan], condition: AutomationCondition, who: str) -> None:
    if any(p.once for p in parts) and len(parts) > 1:
        raise DefinitionError(
            f"{who}: {condition}: on a root asset eager()/on_missing() mean one run (Airflow's "
            "'@once'), which cannot be combined with other conditions. Use it alone, or use "
            "on_cron(...)."
        )


def _or(
    parts: Sequence[AutomationPlan], condition: AutomationCondition, who: str
) -> AutomationPlan:
    _refuse_once(parts, condition, who)
    crons = tuple(dict.fromkeys(c for p in parts for c in p.crons))
    explicit = [p.condition for p in parts if p.condition is not None and not p.implicit_assets]
    implicit = [p.condition for p in parts if p.condition is not None and p.implicit_assets]
    chosen = explicit or implicit[:1]
    return AutomationPlan(
        crons,
        _timezone(parts, condition, who),
        _join(ConditionOp.ANY, chosen) if chosen else None,
        implicit_assets=not explicit and bool(implicit),
    )


def _and(
    parts: Sequence[AutomationPlan], condition: AutomationCondition, who: str
) -> AutomationPlan:
    _refuse_once(parts, condition, who)
    with_crons = [p for p in parts if p.crons]
    explicit = [p.condition for p in parts if p.condition is not None and not p.implicit_assets]
    if len(with_crons) > 1 or (with_crons and explicit):
        raise DefinitionError(
            f"{who}: {condition}: Airflow cannot wait for a cron tick AND other conditions (a "
            "DAG runs on a cron, on asset events, or on either). Use | (either), or "
            "on_cron(...) alone (it also runs when the DAG's upstream assets have all updated)."
        )
    if with_crons:
        return with_crons[0]
    return AutomationPlan(condition=_join(ConditionOp.ALL, explicit) if explicit else None)


def plan_automation(
    graph: AssetGraph,
    produced: Collection[AssetKey],
    upstream: Sequence[AssetKey],
    dag_id: str,
) -> AutomationPlan:
    """The schedule the conditions of the DAG's assets (``produced``) ask for; ``upstream``
    are the DAG's upstream assets in other DAGs. Conflicting conditions are an error naming
    both assets."""
    ups = tuple(sorted(upstream))
    found: list[tuple[AssetKey, AutomationCondition, AutomationPlan]] = []
    for key in sorted(produced):
        condition = graph.spec(key).automation_condition
        if condition is not None:
            who = f"asset {key.to_user_string()!r} (DAG {dag_id!r})"
            found.append((key, condition, _shape(condition, ups, who)))
    if not found:
        return AutomationPlan()
    first_key, first_condition, plan = found[0]
    for key, condition, other in found[1:]:
        if replace(other, implicit_assets=False) != replace(plan, implicit_assets=False):
            raise DefinitionError(
                f"DAG {dag_id!r} holds assets with different automation conditions: "
                f"{first_key.to_user_string()!r} has {first_condition} and "
                f"{key.to_user_string()!r} has {condition}; one DAG has one schedule. Put them "
                "in separate groups or jobs, or give them the same condition."
            )
    # An on_cron's AssetAll of upstreams is the default asset condition: leave it implicit.
    return replace(plan, condition=None) if plan.implicit_assets else plan
