"""``FusedAssetsOperator``: one task that materializes every asset of its DAG in dependency
order, through the same engine as ``materialize()`` (``execution="fused"``).

Airflow pays seconds per task (a process, the DAG file parsed again, database round trips); for
many small assets that dominates. A fused task pays it once and still gives Airflow one asset
event per materialized asset (the outlets of assets that did not materialize are dropped before
the task succeeds). A failing asset does not stop independent ones; the task then fails, and
its retry (or clearing it) re-runs only what the failed tries did not materialize, read from
Airflow's task state store (written when a try ends, and every few seconds while it runs, so a
try whose process is killed is resumed too). Airflow emits asset events only for a successful
task: the events of assets materialized in a failed try are emitted by the try that succeeds.
"""

from __future__ import annotations

from typing import Any

from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

from asset2airflow.airflow.fused_report import (
    RESUME_KEY,
    Checkpoint,
    EarlierTries,
    FusedReport,
    fused_report,
)
from asset2airflow.airflow.operator import AssetStepOperator
from asset2airflow.airflow.record import XCOM_KEY, EventExtra
from asset2airflow.airflow.signals import airflow_signal
from asset2airflow.errors import ExecutionError, FailureError
from asset2airflow.execution.plan import ExecutionStep
from asset2airflow.execution.run_events import StepEventType
from asset2airflow.execution.sequence import AssetRunEvent, run_in_order
from asset2airflow.execution.step import RunEnvironment


class FusedAssetsOperator(AssetStepOperator):
    """The one task of a fused DAG; built by ``build_dags``, not by hand."""

    ui_color = "#d8f0dc"
    retry_in_process = True  # each asset's RetryPolicy, inside the task

    def _steps(self, selected: set[str]) -> list[ExecutionStep]:
        return self._compiled.steps_in_order(selected)

    def _materialize(
        self, context: Any, env: RunEnvironment, steps: list[ExecutionStep]
    ) -> dict[str, EventExtra]:
        state_store = context.get("task_state_store")
        earlier = EarlierTries.from_record(state_store.get(RESUME_KEY) if state_store else None)
        done = earlier.done_steps(steps)
        if done:
            self.log.info(
                "Resuming: %d of %d steps materialized in an earlier try, not run again: %s",
                len(done),
                len(steps),
                ", ".join(sorted(done)[:20]) + (" ..." if len(done) > 20 else ""),
            )
        try_number = int(getattr(context.get("ti"), "try_number", 0) or 0)
        save = (lambda r: state_store.set(RESUME_KEY, r)) if state_store else (lambda r: None)
        checkpoint = Checkpoint(save, earlier, try_number)

        def on_event(event: AssetRunEvent) -> None:
            self._on_event(event)
            if event.outcome is not None:
                checkpoint.finished(event.outcome)

        ran = run_in_order(env, steps, stop_on_error=False, listener=on_event, done=done)
        skipped_by_code = {
            o.step.name: str(signal)
            for o in ran.outcomes
            if o.error is not None
            and isinstance(signal := airflow_signal(o.error), AirflowSkipException)
        }
        report = fused_report(
            self.task_id,
            self._compiled.task_asset_keys.get(self.task_id, ()),
            steps,
            ran.outcomes,
            ran.skipped,
            earlier,
            try_number,
            skipped_by_code,
            env.partition_key,
        )
        self.step_results = report.xcom(self.task_id)
        context["ti"].xcom_push(key=XCOM_KEY, value=self.step_results)
        if state_store is not None:
            state_store.set(RESUME_KEY, report.record())
        self._log_summary(report)
        if report.errors:
            self._fail(report, ran.outcomes)
        return report.event_extras

    def _on_event(self, event: AssetRunEvent) -> None:
        outcome = event.outcome
        if event.kind is StepEventType.STEP_SKIPPED:
            self.log.warning("Skipped %r: an asset it reads was not produced", event.step.name)
        elif outcome is not None:
            self._log_outcome(outcome)
            if outcome.error is None:
                return
            if isinstance(airflow_signal(outcome.error), AirflowSkipException):
                self.log.info("Step %r skipped itself: %s", outcome.step.name, outcome.error)
            else:
                self.log.error("Step %r failed: %s", outcome.step.name, outcome.error)

    def _log_summary(self, report: FusedReport) -> None:
        counts: dict[str, int] = {}
        for run in report.assets.values():
            counts[run.status.value] = counts.get(run.status.value, 0) + 1
        self.log.info(
            "Fused task: %s in %.3f s",
            ", ".join(f"{n} {s}" for s, n in sorted(counts.items())),
            report.duration,
        )

    def _fail(self, report: FusedReport, outcomes: list[Any]) -> None:
        """Fail the task. It is retried (re-running only what did not materialize) unless
        nothing that failed can be fixed by retrying: a blocking check, ``Failure(allow_retries
        =False)`` or Airflow's fail exception."""
        retryable = [
            o
            for o in outcomes
            if o.error is not None
            and airflow_signal(o.error) is None
            and not (isinstance(o.error, FailureError) and not o.error.allow_retries)
        ]
        blocked = (
            f", {len(report.blocked)} blocked by a check {report.blocked[:20]}"
            if report.blocked
            else ""
        )
        message = (
            f"{len(report.failed)} asset(s) failed {report.failed[:20]}{blocked}"
            f": {'; '.join(report.errors)[:2000]}. The other assets were materialized and are "
            "not run again when this task is retried or cleared; their asset events are emitted "
            "when it succeeds."
        )
        if retryable:
            raise ExecutionError(message) from retryable[0].error
        raise AirflowFailException(message + " (not retried: retrying cannot fix this)")
