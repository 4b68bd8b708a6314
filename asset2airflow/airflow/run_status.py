"""Run status sensors (``@run_failure_sensor``, ``@run_status_sensor``) as DAG callbacks: the
plan lists a DAG's sensors (``failure_sensors``/``success_sensors``), ``arguments`` maps each to
``RunStatusCallback(DEFINITIONS, name)``. No Airflow imports: Airflow calls it with its context.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from asset2airflow.asset_graph.definitions import Definitions
from asset2airflow.authoring.run_requests import DagsterRunStatus
from asset2airflow.authoring.run_status_sensors import (
    DagsterRun,
    RunFailureSensorContext,
    RunStatusSensorContext,
    RunStatusSensorDefinition,
)
from asset2airflow.authoring.sensors import DagsterEvent


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
