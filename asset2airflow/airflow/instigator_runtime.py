"""What a schedule's or sensor's task does when it runs (never at parse time): evaluate the
function, turn its run requests into DAG runs of the target DAGs, keep the sensor's state.

- **Conf**: ``run_config`` -> the target DAG's params (``<node>__<field>``, checked to exist),
  ``asset_selection`` -> ``assets``, ``partition_key`` -> ``partition_key`` (validated against
  the job's partitions), ``tags`` -> ``asset2airflow_tags`` (``context.run.tags``) and the note.
- **Run ids** are derived from the instigator and the ``run_key`` (or the tick), so Airflow's
  DagRun table refuses a second run for one key even if the task crashed before recording it.
- **State** (sensors): ``cursor``, ``last_run_key``, ``last_tick_completion_time`` and one entry
  per used run key, in the Airflow asset state store of the sensor's state asset (metadata DB:
  it survives scheduler restarts). A run key is recorded after its run exists; the cursor after
  every run request was handled, so a failed evaluation keeps the previous cursor.

Airflow is reached only through what the task hands in (state accessor, ``triggerer``).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from asset2airflow.airflow.dag_plan import DagPlan, InstigatorKind, InstigatorSource
from asset2airflow.airflow.params import (
    ASSETS_PARAM,
    PARTITION_KEY_PARAM,
    RUN_TAGS_CONF,
    param_name,
)
from asset2airflow.airflow.partitions import partitions_of_dag
from asset2airflow.asset_graph.definitions import Definitions
from asset2airflow.authoring.dynamic_partitions import (
    AddDynamicPartitionsRequest,
    DynamicPartitionsStore,
)
from asset2airflow.authoring.keys import AssetKey
from asset2airflow.authoring.run_requests import RunRequest, TickResult
from asset2airflow.errors import ConfigError
from asset2airflow.execution.partition_key import KeySource, resolve_partition_key

_RUN_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_.~:+-]")
_STATE_KEY_LIMIT = 400


@dataclass(frozen=True)
class Trigger:
    """One DAG run to create."""

    dag_id: str
    run_id: str
    conf: dict[str, Any]
    partition_key: str | None
    note: str
    run_key: str | None


def _slug(text: str, limit: int) -> str:
    return _RUN_ID_UNSAFE.sub("_", text)[:limit]


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def trigger_run_id(plan: InstigatorSource, run_key: str | None, tick_id: str, index: int) -> str:
    """``<kind>__<name>__<run key or tick>``: the same request gets the same id."""
    head = f"{plan.kind.value}__{_slug(plan.name, 80)}"
    if run_key is not None:
        scope = run_key if plan.kind is not InstigatorKind.SCHEDULE else f"{tick_id}/{run_key}"
        return f"{head}__{_slug(run_key, 80)}__{_digest(scope)}"
    return f"{head}__{_slug(tick_id, 60)}__{_digest(tick_id)}__{index}"


def conf_for(request: RunRequest, plan: DagPlan, who: str) -> dict[str, Any]:
    """The trigger conf carrying ``request``'s config, selection, partition and tags."""
    conf: dict[str, Any] = {}
    config = dict(request.config)
    other = sorted(set(config) - {"ops"})
    if other:
        raise ConfigError(
            f"{who}: RunRequest run_config sets {other}; in Airflow only op/asset config "
            "({'ops': {name: {'config': {...}}}}) can be passed to a DAG run."
        )
    params = {p.name for p in plan.params}
    for node, entry in dict(config.get("ops") or {}).items():
        for field_name, value in dict((entry or {}).get("config") or {}).items():
            name = param_name(node, field_name)
            if name not in params:
                fields = sorted(p.name for p in plan.params if p.node_name)
                raise ConfigError(
                    f"{who}: run_config sets {node}.{field_name}, which is not a config field "
                    f"of DAG {plan.dag_id!r} (its params: {fields})."
                )
            conf[name] = value
    if request.asset_selection is not None:
        keys = [AssetKey.from_coercible(k).to_user_string() for k in request.asset_selection]
        unknown = sorted(set(keys) - set(plan.asset_keys))
        if unknown:
            raise ConfigError(
                f"{who}: RunRequest asset_selection names {unknown}, which DAG {plan.dag_id!r} "
                f"does not materialize; its assets: {list(plan.asset_keys)}."
            )
        conf[ASSETS_PARAM] = keys
    if request.partition_key is not None:
        conf[PARTITION_KEY_PARAM] = request.partition_key
    if request.tags:
        conf[RUN_TAGS_CONF] = dict(request.tags)
    return conf


def check_partition(
    defs: Definitions, plan: DagPlan, request: RunRequest, who: str, job_name: str
) -> None:
    """A partitioned job needs a valid key; an unpartitioned one none (a new key of a dynamic
    definition is added by the run it triggers)."""
    keys = [AssetKey.from_user_string(k) for k in plan.asset_keys]
    definition = (
        partitions_of_dag(defs.asset_graph, keys, plan.dag_id)
        if keys
        else defs.get_job_def(job_name).partitions_def
    )
    owner = f"DAG {plan.dag_id!r} (requested by {who})"
    resolve_partition_key(request.partition_key, definition, owner, KeySource.RUN_REQUEST)


def plan_triggers(
    defs: Definitions,
    plan: InstigatorSource,
    tick: TickResult,
    target_plan: Callable[[str], DagPlan],
    tick_id: str,
    note: str,
) -> list[Trigger]:
    """The DAG runs ``tick``'s run requests ask for; errors name the schedule/sensor."""
    who = f"{plan.kind.value.replace('_', ' ')} {plan.name!r}"
    by_job = dict(plan.targets)
    triggers = []
    for index, request in enumerate(tick.run_requests):
        if request.job_name is not None:
            if request.job_name not in by_job:
                raise ConfigError(
                    f"{who}: RunRequest(job_name={request.job_name!r}) is not one of its jobs "
                    f"{sorted(by_job)}."
                )
            job_name = request.job_name
        elif len(by_job) == 1:
            [job_name] = by_job
        else:
            raise ConfigError(
                f"{who} returned a RunRequest but has "
                + (f"jobs {sorted(by_job)}: set job_name" if by_job else "no job: pass job=")
                + "."
            )
        dag_id = by_job[job_name]
        target = target_plan(dag_id)
        check_partition(defs, target, request, who, job_name)
        details = [note]
        if request.run_key is not None:
            details.append(f"run_key {request.run_key!r}")
        if request.tags:
            details.append("tags " + ", ".join(f"{k}={v}" for k, v in request.tags.items()))
        triggers.append(
            Trigger(
                dag_id=dag_id,
                run_id=trigger_run_id(plan, request.run_key, tick_id, index),
                conf=conf_for(request, target, who),
                partition_key=request.partition_key,
                note="; ".join(details)[:1000],
                run_key=request.run_key,
            )
        )
    return triggers


def apply_partition_requests(tick: TickResult, store: DynamicPartitionsStore) -> None:
    """Add/delete the dynamic partition keys a sensor asked for (emitted when the task ends)."""
    for request in tick.dynamic_partitions_requests:
        if isinstance(request, AddDynamicPartitionsRequest):
            store.add_dynamic_partitions(request.partitions_def_name, list(request.partition_keys))
        else:
            for key in request.partition_keys:
                store.delete_dynamic_partition(request.partitions_def_name, key)


class SensorState:
    """A sensor's durable state: one Airflow asset state store accessor (``get``/``set``/
    ``delete`` of JSON values by key)."""

    CURSOR = "cursor"
    LAST_RUN_KEY = "last_run_key"
    COMPLETED = "last_tick_completion_time"
    LAST_EVENT = "last_asset_event"

    def __init__(self, accessor: Any) -> None:
        self._store = accessor

    @staticmethod
    def run_key_entry(run_key: str) -> str:
        entry = f"run_key:{run_key}"
        return entry if len(entry) <= _STATE_KEY_LIMIT else f"run_key#sha256:{_digest(run_key)}"

    @property
    def cursor(self) -> str | None:
        value = self._store.get(self.CURSOR)
        return None if value is None else str(value)

    @property
    def last_run_key(self) -> str | None:
        value = self._store.get(self.LAST_RUN_KEY)
        return None if value is None else str(value)

    @property
    def last_tick_completion_time(self) -> float | None:
        value = self._store.get(self.COMPLETED)
        return None if value is None else float(value)

    def run_for(self, run_key: str) -> Mapping[str, Any] | None:
        """What the run key started (``{"dag_id", "run_id"}``), if it was used before."""
        value = self._store.get(self.run_key_entry(run_key))
        return dict(value) if isinstance(value, Mapping) else None

    def record(self, trigger: Trigger) -> None:
        if trigger.run_key is not None:
            entry = {"dag_id": trigger.dag_id, "run_id": trigger.run_id, "run_key": trigger.run_key}
            self._store.set(self.run_key_entry(trigger.run_key), entry)
            self._store.set(self.LAST_RUN_KEY, trigger.run_key)

    @property
    def last_event(self) -> tuple[int, str] | None:
        """An asset sensor's last handled asset event: (id, ISO timestamp)."""
        value = self._store.get(self.LAST_EVENT)
        return (int(value["id"]), str(value["timestamp"])) if isinstance(value, Mapping) else None

    def record_event(self, event_id: int, timestamp: str) -> None:
        self._store.set(self.LAST_EVENT, {"id": event_id, "timestamp": timestamp})

    def finish(self, tick: TickResult, completed_at: float) -> None:
        if tick.cursor_set:
            if tick.cursor is None:
                self._store.delete(self.CURSOR)
            else:
                self._store.set(self.CURSOR, tick.cursor)
        self._store.set(self.COMPLETED, completed_at)
