"""``InstigatorOperator``: the one task of a schedule's or sensor's DAG. It evaluates the
schedule/sensor when the DAG run executes (never while the file is parsed) and triggers the
target DAGs through the Task SDK's trigger message (the one ``TriggerDagRunOperator`` uses),
one DAG run per run request. A sensor's cursor and used run keys live in the asset state store
of its state asset (the task's first inlet)."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from airflow.sdk import AssetAlias, BaseOperator
from airflow.sdk.exceptions import AirflowSkipException

from asset2airflow.airflow.compiled import CompiledInstigator
from asset2airflow.airflow.dynamic import (
    REGISTRY_ALIAS,
    AirflowDynamicPartitions,
    definition_name_of,
)
from asset2airflow.airflow.instigator_runtime import (
    SensorState,
    Trigger,
    apply_partition_requests,
    plan_triggers,
)
from asset2airflow.authoring.dynamic_partitions import dynamic_partitions_store
from asset2airflow.authoring.run_requests import TickResult
from asset2airflow.authoring.schedules import ScheduleDefinition, ScheduleEvaluationContext
from asset2airflow.authoring.sensors import (
    AssetSensorDefinition,
    SensorDefinition,
    SensorEvaluationContext,
    event_log_entry,
)
from asset2airflow.errors import ExecutionError
from asset2airflow.execution.resources import ResourceScope


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
    def for_step(cls, compiled: CompiledInstigator, **kwargs: Any) -> InstigatorOperator:
        """The task evaluating ``compiled``'s schedule or sensor (see ``AssetStepOperator``)."""
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
        plan = compiled.source
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
        plan = self._compiled.source
        if isinstance(definition, ScheduleDefinition):
            dag_run = context.get("dag_run")
            when = getattr(dag_run, "logical_date", None) or getattr(dag_run, "run_after", None)
            zone = self._compiled.plan.schedule.timezone
            when = _in_zone(when or dt.datetime.now(dt.timezone.utc), zone)
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
            sensor_name=self._compiled.source.name,
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
