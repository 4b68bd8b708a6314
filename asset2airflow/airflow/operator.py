"""``AssetStepOperator``: the task that materializes one step (an asset, or the selected assets
of a multi-asset) and runs its checks, through the same engine as ``materialize()``.

Data moves only through IO managers. Metadata and check results go to the asset event ``extra``
and to XCom; a failed blocking check fails the task, so its asset event is never emitted and
nothing downstream (in this DAG or another) is triggered.
"""

from __future__ import annotations

import logging
from typing import Any

from airflow.sdk import AssetAlias, BaseOperator
from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

from asset2airflow.airflow.compiled import CompiledDag
from asset2airflow.airflow.dynamic import (
    EXTRA_KEY,
    REGISTRY_ALIAS,
    AirflowDynamicPartitions,
    definition_name_of,
)
from asset2airflow.airflow.events import ensure_strict_json, step_run_record
from asset2airflow.airflow.job_config import asset_task_run_config, asset_task_run_tags
from asset2airflow.airflow.params import (
    ASSETS_PARAM,
    PARTITION_KEY_PARAM,
    selected_keys,
)
from asset2airflow.airflow.record import (
    FIELD,
    XCOM_KEY,
    AssetStatus,
    EventExtra,
    TaskKind,
    task_record,
)
from asset2airflow.airflow.task_runtime import (
    raise_in_airflow,
    requested_partition_key,
    run_identity,
)
from asset2airflow.authoring.airflow_options import TASK_ATTRIBUTES
from asset2airflow.authoring.dynamic_partitions import dynamic_partitions_store
from asset2airflow.errors import BlockingCheckFailedError, PartitionError
from asset2airflow.execution.partition_key import KeySource, resolve_partition_key
from asset2airflow.execution.plan import ExecutionStep
from asset2airflow.execution.resources import ResourceScope
from asset2airflow.execution.run_config import ParsedRunConfig
from asset2airflow.execution.step import RunEnvironment, StepOutcome, run_step

# Output metadata keys built-in IO managers use for where they stored a value.
_LOCATION_METADATA = ("path", "table", "uri")
MATERIALIZED = AssetStatus.MATERIALIZED


class AssetStepOperator(BaseOperator):
    """One asset step as an Airflow task; built by ``build_dags``, not by hand."""

    ui_color = "#e8f4fd"
    shallow_copy_attrs = ("_compiled",)
    _compiled: CompiledDag
    _serialized_fields: frozenset[str] | None = None
    step_results: dict[str, Any] | None = None
    """What this task's step did (as pushed to XCom), once it ran: read by OpenLineage."""
    retry_in_process = False
    """Whether an asset's ``RetryPolicy`` retries it inside the task (fused tasks) rather than
    through the task's Airflow retries (a task per asset)."""

    @classmethod
    def for_step(cls, compiled: CompiledDag, **kwargs: Any) -> AssetStepOperator:
        """The task for step ``kwargs["task_id"]`` of ``compiled``.

        The compiled DAG is attached after construction rather than through ``__init__``: an
        ``__init__`` override would make Airflow apply (and deep-copy) DAG defaults twice per
        task, which dominates parse time for large graphs.
        """
        # Setup/teardown roles (``airflow_task``) are attributes, not constructor arguments.
        roles = {k: kwargs.pop(k) for k in TASK_ATTRIBUTES if k in kwargs}
        task = cls(**kwargs)
        for name, value in roles.items():
            setattr(task, name, value)
        task._compiled = compiled
        return task

    @property
    def asset_docs(self) -> str:
        """The task's static record (``asset2airflow.airflow.record.TaskRecord``) as JSON: a
        serialized field, read by the Airflow plugin. Computed when the DAG processor
        serializes the DAG, so parsing (and a worker, which never serializes) does not pay."""
        compiled = getattr(self, "_compiled", None)
        if compiled is None:
            return ""
        # By asset key: an outlet's name is not the key when pinned (``airflow_task``).
        produced = compiled.task_asset_keys.get(self.task_id, ())
        # The first outlets are the assets' ``Asset``s, in key order (as ``_emit_events`` reads).
        uris = {k: getattr(o, "uri", None) for k, o in zip(produced, self.outlets, strict=False)}
        mode = TaskKind.of(compiled.plan.execution)
        return task_record(compiled.defs.asset_graph, produced, mode, uris).to_json()

    @classmethod
    def get_serialized_fields(cls) -> frozenset[str]:
        """Airflow's fields plus ``asset_docs``, so the DAG processor stores it."""
        if cls._serialized_fields is None:
            airflow_fields = super().get_serialized_fields()  # type: ignore[no-untyped-call]
            cls._serialized_fields = frozenset(airflow_fields) | {FIELD}
        return cls._serialized_fields

    def get_openlineage_facets_on_complete(self, task_instance: Any) -> Any:
        """Input/output datasets and facets for OpenLineage (``asset2airflow[openlineage]``);
        also used on failure. See ``asset2airflow.airflow.openlineage``."""
        from asset2airflow.airflow.openlineage import lineage_on_complete

        return lineage_on_complete(self, task_instance)

    def execute(self, context: Any) -> None:
        compiled = self._compiled
        params = dict(context.get("params") or {})
        dag_run = context.get("dag_run")
        conf = dict(getattr(dag_run, "conf", None) or {})
        # Large DAGs declare no "assets" param; the trigger conf may still carry the list.
        chosen = {ASSETS_PARAM: params.get(ASSETS_PARAM) or conf.get(ASSETS_PARAM)}
        steps = self._steps(selected_keys(chosen, compiled.plan.asset_keys))
        if not steps:
            raise AirflowSkipException(
                "none of this task's assets is in the run's 'assets' param; skipped"
            )
        _, run_id, _ = run_identity(context, self.dag_id, self.task_id)
        store = self._dynamic_partitions(context)
        with dynamic_partitions_store(store):
            self._run(context, steps, params, dag_run, run_id)
        for registry, extra in store.changes():
            # Emitted only now that the step succeeded: a failed task adds no keys.
            context["outlet_events"][AssetAlias(REGISTRY_ALIAS)].add(registry, extra=extra)
            self.log.info("Dynamic partitions changed in %s: %s", registry.uri, extra[EXTRA_KEY])

    def _dynamic_partitions(self, context: Any) -> AirflowDynamicPartitions:
        registries = {
            name: inlet
            for inlet in self.inlets
            if (name := definition_name_of(str(getattr(inlet, "uri", "")))) is not None
        }
        return AirflowDynamicPartitions(context.get("inlet_events"), registries)

    def _steps(self, selected: set[str]) -> list[ExecutionStep]:
        """What this task runs for the selected assets: its one step, narrowed (or nothing)."""
        step = self._compiled.step_for(self.task_id, selected)
        return [step] if step is not None else []

    def _run(
        self,
        context: Any,
        steps: list[ExecutionStep],
        params: dict[str, Any],
        dag_run: Any,
        run_id: str,
    ) -> None:
        compiled = self._compiled
        run_key = getattr(dag_run, "partition_key", None)
        partition_key = self._partition_key(run_key, params.get(PARTITION_KEY_PARAM), steps)
        parsed = ParsedRunConfig(
            asset_task_run_config(compiled, params, partition_key), compiled.config_node_names
        )
        _, _, run_tags = run_identity(context, self.dag_id, self.task_id)
        run_tags = {**asset_task_run_tags(compiled, partition_key), **run_tags}
        with ResourceScope(compiled.defs.resources, run_id, parsed.resource_config) as scope:
            env = RunEnvironment(
                compiled.defs.asset_graph,
                scope,
                parsed,
                partition_key,
                run_id,
                keep_values=False,
                retry_in_process=self.retry_in_process,
                run_tags=run_tags,
            )
            # Reported before resources are torn down, so a failing teardown (raised when the
            # block ends, naming the resource) does not hide what the steps did.
            extras = self._materialize(context, env, steps)
        self._emit_events(context, extras, partition_key if run_key is None else None)

    def _materialize(
        self, context: Any, env: RunEnvironment, steps: list[ExecutionStep]
    ) -> dict[str, EventExtra]:
        """Run the task's step; push its run record to XCom; raise what Airflow should see.
        Returns the event ``extra`` of each materialized asset, by asset key."""
        outcome = run_step(env, steps[0])
        self._log_outcome(outcome)
        what = f"step {outcome.step.name!r}"
        record = step_run_record(
            outcome,
            try_number=int(getattr(context.get("ti"), "try_number", 0) or 0),
            partition=env.partition_key,
            task_id=self.task_id,
            task_keys=self._compiled.task_asset_keys.get(self.task_id, ()),
        )
        self.step_results = ensure_strict_json(record.to_json(), what)
        context["ti"].xcom_push(key=XCOM_KEY, value=self.step_results)
        if outcome.error is not None:
            raise_in_airflow(outcome.error)
        extras = {a.key: a.event_extra() for a in record.assets if a.status is MATERIALIZED}
        if outcome.blocked_keys:
            failed = [
                f"{e.asset_key.to_user_string()}:{e.check_name}"
                for e in outcome.check_evaluations
                if e.blocks_downstream
            ]
            raise AirflowFailException(
                f"blocking check failed: {failed}; the asset event is not emitted, so nothing "
                "downstream runs. Fix the data or the check, then clear this task."
            ) from BlockingCheckFailedError(str(failed))
        return extras

    def _emit_events(
        self, context: Any, extras: dict[str, EventExtra], param_partition: str | None
    ) -> None:
        """One asset event per materialized asset, carrying its ``extra``. The outlets of the
        task's assets that did not materialize (not selected, skipped, failed in a fused task)
        are dropped: Airflow emits an event for every outlet of a successful task.
        ``param_partition``: the trigger form's partition key, which the events must carry
        (Airflow's own run partition key is added by Airflow)."""
        keys = self._compiled.task_asset_keys.get(self.task_id, ())
        kept = []
        for index, outlet in enumerate(self.outlets):
            if index >= len(keys):  # aliases and outlets pinned with airflow_task
                kept.append(outlet)
                continue
            extra = extras.get(keys[index])
            if extra is None:
                continue
            kept.append(outlet)
            context["outlet_events"][outlet].extra = extra.to_json()
            if param_partition is not None and extra.partition:
                context["outlet_events"][outlet].add_partitions([param_partition])
        self.outlets = kept

    def _partition_key(
        self, run_key: str | None, param_key: str | None, steps: list[ExecutionStep]
    ) -> str | None:
        """The run's partition (Airflow's partition key, or the trigger form's param), checked
        against the step's partitions definition. A bad key fails the task without retries:
        retrying cannot fix it."""
        key = requested_partition_key(run_key, param_key, PARTITION_KEY_PARAM)
        graph = self._compiled.defs.asset_graph
        definition = next(
            (
                d
                for s in steps
                for k in s.asset_keys
                if (d := graph.spec(k).partitions_def) is not None
            ),
            None,
        )
        try:
            return resolve_partition_key(
                key, definition, f"DAG {self.dag_id!r}", KeySource.AIRFLOW_RUN
            )
        except PartitionError as exc:
            raise AirflowFailException(str(exc)) from exc

    def _log_outcome(self, outcome: StepOutcome) -> None:
        """Say in the task log where each value was stored and how each check went."""
        uris = {getattr(o, "name", None): getattr(o, "uri", None) for o in self.outlets}
        for materialization in outcome.materializations:
            name = materialization.asset_key.to_user_string()
            stored = next(
                (
                    str(materialization.metadata[k].value)
                    for k in _LOCATION_METADATA
                    if k in materialization.metadata
                ),
                uris.get(name) or "its IO manager",
            )
            partition = (
                f" partition {materialization.partition!r}" if materialization.partition else ""
            )
            self.log.info("Materialized asset %r%s, stored at %s", name, partition, stored)
        for evaluation in outcome.check_evaluations:
            verdict = "PASSED" if evaluation.passed else "FAILED"
            kind = "blocking" if evaluation.blocking else "non-blocking"
            details = f": {evaluation.description}" if evaluation.description else ""
            self.log.log(
                logging.INFO if evaluation.passed else logging.WARNING,
                "Check %s:%s %s (%s, severity %s)%s",
                evaluation.asset_key.to_user_string(),
                evaluation.check_name,
                verdict,
                kind,
                evaluation.severity.value,
                details,
            )
