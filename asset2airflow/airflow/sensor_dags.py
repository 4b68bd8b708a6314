"""Schedule and sensor DAGs, and run status callbacks, as Airflow objects.

``build_instigator_dags`` builds one DAG per ``InstigatorDagPlan``; its one task,
``InstigatorOperator``, evaluates the schedule/sensor when the DAG run executes (never while the
file is parsed) and triggers the target DAGs through the Task SDK's trigger message (the one
``TriggerDagRunOperator`` uses), one DAG run per run request. ``run_status_callbacks`` are
the DAG callbacks of ``@run_failure_sensor``/``@run_status_sensor``.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from airflow.sdk import DAG, AssetAlias, BaseOperator
from airflow.sdk.exceptions import AirflowSkipException

from asset2airflow.airflow.arguments import instantiate
from asset2airflow.airflow.dynamic import (
    REGISTRY_ALIAS,
    AirflowDynamicPartitions,
    definition_name_of,
)
from asset2airflow.airflow.instigator_plan import (
    InstigatorDagPlan,
    build_instigator_plans,
    instigator_dag_arguments,
    instigator_task_arguments,
)
from asset2airflow.airflow.instigator_runtime import (
    SensorState,
    Trigger,
    apply_partition_requests,
    plan_triggers,
)
from asset2airflow.airflow.plan import DagPlan, build_dag_plans
from asset2airflow.asset_graph.definitions import Definitions
from asset2airflow.authoring.dynamic_partitions import dynamic_partitions_store
from asset2airflow.authoring.run_requests import DagsterRunStatus, TickResult
from asset2airflow.authoring.run_status_sensors import (
    DagsterRun,
    RunFailureSensorContext,
    RunStatusSensorContext,
    RunStatusSensorDefinition,
)
from asset2airflow.authoring.schedules import ScheduleDefinition, ScheduleEvaluationContext
from asset2airflow.authoring.sensors import (
    AssetSensorDefinition,
    DagsterEvent,
    SensorDefinition,
    SensorEvaluationContext,
    event_log_entry,
)
from asset2airflow.errors import ExecutionError
from asset2airflow.execution.resources import ResourceScope


@dataclass(eq=False)
class CompiledInstigator:
    """What an instigator task needs at run time: the definitions, its plan, and how to plan
    its target DAGs (same prefix and dags folder as ``build_dags``)."""

    defs: Definitions
    plan: InstigatorDagPlan
    dags_folder: Path | None
    _targets: dict[str, DagPlan] = field(default_factory=dict)

    def definition(self) -> ScheduleDefinition | SensorDefinition:
        for candidate in [*self.defs.schedules, *self.defs.sensors]:
            if candidate.name == self.plan.name and not isinstance(
                candidate, RunStatusSensorDefinition
            ):
                return candidate
        raise ExecutionError(f"no schedule or sensor named {self.plan.name!r} any more")

    def target_plan(self, dag_id: str) -> DagPlan:
        if dag_id not in self._targets:
            found = build_dag_plans(
                self.defs,
                dag_id_prefix=self.plan.dag_id_prefix,
                only_dag_id=dag_id,
                dags_folder=self.dags_folder,
            )
            if not found and self.defs.op_jobs:
                from asset2airflow.airflow.op_plan import build_op_dag_plans

                prefix = self.plan.dag_id_prefix
                ops = build_op_dag_plans(self.defs, dag_id_prefix=prefix, only_dag_id=dag_id)
                found = [p.dag for p in ops]
            if not found:
                raise ExecutionError(f"{self.plan.name!r}: its target DAG {dag_id!r} is not built")
            self._targets[dag_id] = found[0]
        return self._targets[dag_id]


def trigger_dag_run(trigger: Trigger) -> bool:
    """Create the DAG run; ``False`` when a run with its id already exists."""
    from airflow.sdk.exceptions import AirflowRuntimeError, ErrorType
    from airflow.sdk.execution_time.comms import ErrorResponse, TriggerDagRun
    from airflow.sdk.execution_time.task_runner import SUPERVISOR_COMMS

    message = TriggerDagRun(
        dag_id=trigger.dag_id,
        run_id=trigger.run_id,
        conf=trigger.conf,
        note=trigger.note,
        partition_key=trigger.partition_key,
    )
    try:
        response = SUPERVISOR_COMMS.send(message)
    except AirflowRuntimeError as exc:
        response = exc.error
    except Exception as exc:  # the in-process API of dag.test() raises the HTTP error itself
        if getattr(getattr(exc, "response", None), "status_code", None) == 409:
            return False
        raise ExecutionError(f"could not trigger DAG {trigger.dag_id!r}: {exc}") from exc
    if isinstance(response, ErrorResponse):
        if response.error == ErrorType.DAGRUN_ALREADY_EXISTS:
            return False
        raise ExecutionError(f"could not trigger DAG {trigger.dag_id!r}: {response.detail}")
    return True


class InstigatorOperator(BaseOperator):
    """Evaluates one schedule or sensor and triggers its jobs' DAGs; built by ``build_dags``."""

    ui_color = "#fff4e0"
    shallow_copy_attrs = ("_compiled",)
    _compiled: CompiledInstigator

    @classmethod
    def for_instigator(cls, compiled: CompiledInstigator, **kwargs: Any) -> InstigatorOperator:
        task = cls(**kwargs)
        task._compiled = compiled
        return task

    def execute(self, context: Any) -> None:
        compiled = self._compiled
        registries = {
            name: inlet
            for inlet in self.inlets
            if (name := definition_name_of(str(getattr(inlet, "uri", "")))) is not None
        }
        store = AirflowDynamicPartitions(context.get("inlet_events"), registries)
        with dynamic_partitions_store(store):
            skipped = self._evaluate(context, compiled, store)
        changes = store.changes()
        for registry, extra in changes:
            context["outlet_events"][AssetAlias(REGISTRY_ALIAS)].add(registry, extra=extra)
            self.log.info("Dynamic partitions changed in %s: %s", registry.uri, extra)
        if skipped is not None and not changes:
            raise AirflowSkipException(skipped)

    def _evaluate(
        self, context: Any, compiled: CompiledInstigator, store: AirflowDynamicPartitions
    ) -> str | None:
        """Evaluate, trigger, record; the skip message when no run was requested."""
        plan = compiled.plan
        definition = compiled.definition()
        dag_run = context.get("dag_run")
        run_id = str(getattr(dag_run, "run_id", "") or context.get("run_id") or "manual")
        signature = definition._signature
        needed = signature.resource_params if signature is not None else ()
        with ResourceScope(compiled.defs.resources, run_id) as scope:
            resources = {k: scope.get(k, f"{plan.kind.value} {plan.name!r}") for k in needed}
            state = (
                SensorState(context["asset_state_store"][self.inlets[0]])
                if plan.state_asset is not None
                else None
            )
            pending: list[tuple[int, str]] = []
            ticks = self._ticks(context, definition, resources, state, run_id, pending)
        messages = []
        for index, (tick, tick_id, note) in enumerate(ticks):
            apply_partition_requests(tick, store)
            for trigger in plan_triggers(
                compiled.defs, plan, tick, compiled.target_plan, tick_id, note
            ):
                self._trigger(trigger, state)
            if state is not None:
                if pending:
                    state.record_event(*pending[index])
                state.finish(tick, time.time())
            if tick.skip_message:
                messages.append(tick.skip_message)
        if any(t.run_requests for t, _, _ in ticks):
            return None
        return "; ".join(messages) or f"{plan.name!r}: nothing to evaluate"

    def _ticks(
        self,
        context: Any,
        definition: ScheduleDefinition | SensorDefinition,
        resources: dict[str, Any],
        state: SensorState | None,
        run_id: str,
        pending: list[tuple[int, str]],
    ) -> list[tuple[TickResult, str, str]]:
        """(result, tick id, run note) per evaluation: one, or one per new asset event (whose
        id and timestamp go to ``pending``, recorded once its runs were triggered)."""
        plan = self._compiled.plan
        if isinstance(definition, ScheduleDefinition):
            dag_run = context.get("dag_run")
            when = getattr(dag_run, "logical_date", None) or getattr(dag_run, "run_after", None)
            when = _in_zone(when or dt.datetime.now(dt.timezone.utc), plan.timezone)
            schedule_context = ScheduleEvaluationContext(
                scheduled_execution_time=when, schedule_name=plan.name, log=self.log
            )
            tick = definition.evaluate_tick(schedule_context, resources)
            note = f"Triggered by schedule {plan.name!r} for {when.isoformat()}"
            return [(tick, when.isoformat(), note)]
        assert state is not None
        if not isinstance(definition, AssetSensorDefinition):
            tick = definition.evaluate_tick(self._sensor_context(state), resources)
            return [(tick, run_id, f"Triggered by sensor {plan.name!r} (evaluation {run_id})")]
        assert plan.trigger_asset is not None
        events = _new_events(context["inlet_events"][self.inlets[1]], state.last_event)
        self.log.info("%d new event(s) of asset %r", len(events), plan.trigger_asset.name)
        ticks = []
        for event in events:
            entry = event_log_entry(
                definition.asset_key,
                run_id=str(event.source_run_id or ""),
                job_name=event.source_dag_id,
                timestamp=event.timestamp,
                extra=dict(event.extra or {}),
                partition=getattr(event, "partition_key", None),
            )
            tick = definition.evaluate_tick(self._sensor_context(state), resources, entry)
            note = f"Triggered by asset sensor {plan.name!r} on asset event {event.id}"
            ticks.append((tick, f"event-{event.id}", note))
            pending.append((event.id, event.timestamp.isoformat()))
        return ticks

    def _sensor_context(self, state: SensorState) -> SensorEvaluationContext:
        return SensorEvaluationContext(
            cursor=state.cursor,
            last_run_key=state.last_run_key,
            last_tick_completion_time=state.last_tick_completion_time,
            sensor_name=self._compiled.plan.name,
            log=self.log,
        )

    def _trigger(self, trigger: Trigger, state: SensorState | None) -> None:
        if trigger.run_key is not None and state is not None:
            used = state.run_for(trigger.run_key)
            if used is not None:
                self.log.info(
                    "run_key %r already started run %s of %s; not triggered again",
                    trigger.run_key,
                    used.get("run_id"),
                    used.get("dag_id"),
                )
                return
        created = trigger_dag_run(trigger)
        self.log.info(
            "%s DAG run %s of %s (partition %s, conf %s)",
            "Triggered" if created else "Already existed:",
            trigger.run_id,
            trigger.dag_id,
            trigger.partition_key,
            trigger.conf,
        )
        if state is not None:
            state.record(trigger)


def _in_zone(when: dt.datetime, zone: str) -> dt.datetime:
    import zoneinfo

    aware = when if when.tzinfo is not None else when.replace(tzinfo=dt.timezone.utc)
    return aware.astimezone(zoneinfo.ZoneInfo(zone))


def _new_events(accessor: Any, last: tuple[int, str] | None) -> list[Any]:
    """The monitored asset's events after the last handled one, oldest first; at first
    (nothing handled yet) only the latest event, as Dagster's asset sensors start."""
    if last is None:
        return list(accessor.ascending(False).limit(1))
    last_id, last_time = last
    return [e for e in accessor.after(last_time).ascending(True) if e.id > last_id]


def build_instigator_dag(compiled: CompiledInstigator) -> DAG:
    with DAG(**instantiate(instigator_dag_arguments(compiled.plan))) as dag:
        InstigatorOperator.for_instigator(
            compiled, **instantiate(instigator_task_arguments(compiled.plan))
        )
    return dag


def build_instigator_dags(
    defs: Definitions,
    plans: Sequence[DagPlan],
    *,
    dag_id_prefix: str,
    dags_folder: Path | None,
    only_dag_id: str | None,
) -> dict[str, DAG]:
    """The schedule and sensor DAGs of ``defs`` (``plans``: all its asset/job DAG plans)."""
    if not defs.schedules and not defs.sensors:
        return {}
    return {
        p.dag_id: build_instigator_dag(CompiledInstigator(defs, p, dags_folder))
        for p in build_instigator_plans(defs, plans, dag_id_prefix)
        if only_dag_id is None or p.dag_id == only_dag_id
    }


# --- run status sensors: DAG callbacks ---------------------------------------------------------


@dataclass(frozen=True, eq=False)
class RunStatusCallback:
    """``on_failure_callback``/``on_success_callback`` running one run status sensor."""

    defs: Definitions
    sensor_name: str

    @property
    def __name__(self) -> str:  # Airflow logs callbacks by name
        return f"run_status_sensor:{self.sensor_name}"

    def __call__(self, context: Any) -> None:
        sensor = next(
            s
            for s in self.defs.sensors
            if isinstance(s, RunStatusSensorDefinition) and s.name == self.sensor_name
        )
        dag_run = context.get("dag_run")
        dag_id = str(getattr(dag_run, "dag_id", None) or getattr(context.get("dag"), "dag_id", ""))
        run_id = str(context.get("run_id") or getattr(dag_run, "run_id", ""))
        reason = str(context.get("reason") or "")
        ti = context.get("ti")
        task_id = getattr(ti, "task_id", None)
        failed = sensor.run_status is DagsterRunStatus.FAILURE
        verb = "failed" if failed else "succeeded"
        message = f"DAG run {run_id!r} of DAG {dag_id!r} {verb}" + (
            f" (task {task_id!r}" + (f", {reason}" if reason else "") + ")" if task_id else ""
        )
        run = DagsterRun(
            job_name=dag_id,
            run_id=run_id,
            status=sensor.run_status,
            tags={
                "airflow/dag_id": dag_id,
                "airflow/run_id": run_id,
                "airflow/run_type": str(getattr(dag_run, "run_type", "") or ""),
            },
            run_config=dict(getattr(dag_run, "conf", None) or {}),
        )
        event = DagsterEvent("RUN_FAILURE" if failed else "RUN_SUCCESS", dag_id, message=message)
        steps = (
            [DagsterEvent("STEP_FAILURE", dag_id, message=f"task {task_id!r} failed")]
            if failed and task_id
            else []
        )
        context_class = RunFailureSensorContext if failed else RunStatusSensorContext
        sensor_context = context_class(
            sensor_name=sensor.name, dagster_run=run, dagster_event=event, step_events=steps
        )
        skipped = sensor.evaluate(sensor_context)
        if skipped:
            sensor_context.log.info("run status sensor %r skipped: %s", sensor.name, skipped)


def run_status_callbacks(plan: DagPlan, defs: Definitions) -> dict[str, Any]:
    """``DAG(...)`` keyword arguments attaching the DAG's run status sensors."""
    arguments: dict[str, Any] = {}
    if plan.failure_sensors:
        arguments["on_failure_callback"] = [
            RunStatusCallback(defs, name) for name in plan.failure_sensors
        ]
    if plan.success_sensors:
        arguments["on_success_callback"] = [
            RunStatusCallback(defs, name) for name in plan.success_sensors
        ]
    return arguments
