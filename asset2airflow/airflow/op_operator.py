"""``OpStepOperator``: the task running one op of an op job, through the same engine as
``execute_in_process`` (``execution.op_step``); ``MappedOpStepOperator`` is its mapped form,
expanded over the mapping keys of a ``DynamicOut`` (one task instance per key).

Values move only through IO managers, keyed by the Airflow run id. XCom carries small facts:
each task pushes what it produced (``OP_XCOM_KEY``: output names, dynamic mapping keys,
expectation results), which downstream tasks read to skip when an input was not produced and to
know the keys a ``.collect()`` gathers; a producer returns the mapping keys its mapped
downstream expands over.
"""

from __future__ import annotations

from typing import Any

from airflow.sdk import BaseOperator
from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

from asset2airflow.airflow.compiled import COMPILED_ATTRIBUTE, CompiledJob
from asset2airflow.airflow.events import ensure_strict_json
from asset2airflow.airflow.job_config import task_run_config
from asset2airflow.airflow.params import PARTITION_KEY_PARAM
from asset2airflow.airflow.task_runtime import (
    raise_in_airflow,
    requested_partition_key,
    run_identity,
)
from asset2airflow.asset_graph.op_graph import OpGraph
from asset2airflow.authoring.dynamic_partitions import DagsterInstance, dynamic_partitions_store
from asset2airflow.authoring.metadata import metadata_to_json
from asset2airflow.authoring.partition_scope import AssetPartitions
from asset2airflow.errors import FailureError, PartitionError
from asset2airflow.execution.job_runner import (
    job_partitions,
    parse_job_config,
    partition_run_tags,
)
from asset2airflow.execution.op_step import OpOutcome, OpRunEnvironment, Produced, run_op_step
from asset2airflow.execution.partition_key import KeySource
from asset2airflow.execution.resources import ResourceScope

OP_XCOM_KEY = "asset2airflow_op"


class XComIndex:
    """What upstream op tasks produced in this run, read from their ``OP_XCOM_KEY`` XComs
    (every map index of a mapped task); one pull per upstream task."""

    def __init__(self, ti: Any, graph: OpGraph) -> None:
        self._ti = ti
        self._graph = graph
        self._records: dict[str, dict[str | None, Produced]] = {}

    def produced(self, step: str, mapping_key: str | None) -> Produced | None:
        records = self._records.get(step)
        if records is None:
            pulled = self._ti.xcom_pull(task_ids=[step], key=OP_XCOM_KEY) or []
            records = {
                r.get("mapping_key"): dict(r.get("produced") or {})
                for r in pulled
                if isinstance(r, dict)
            }
            self._records[step] = records
        return records.get(mapping_key)


def outcome_record(outcome: OpOutcome) -> dict[str, Any]:
    """The XCom ``OP_XCOM_KEY`` of a successful op task (strict JSON)."""
    record = {
        "step": outcome.step.name,
        "mapping_key": outcome.mapping_key,
        "produced": dict(outcome.produced),
        "expectations": [
            {
                "label": e.label,
                "success": e.success,
                "description": e.description,
                "metadata": metadata_to_json(e.metadata),
            }
            for e in outcome.expectations
        ],
        "duration_seconds": round(outcome.duration, 6),
    }
    return dict(ensure_strict_json(record, f"op {outcome.step_key!r}"))


class OpStepOperator(BaseOperator):
    """One op of an op job as an Airflow task; built by ``build_dags``, not by hand."""

    ui_color = "#fdf1e3"
    shallow_copy_attrs = ("_compiled",)
    mapping_key: str | None = None

    @classmethod
    def for_step(cls, compiled: CompiledJob, **kwargs: Any) -> OpStepOperator:
        """The task for op ``kwargs["task_id"]`` (no ``__init__`` override, so Airflow applies
        DAG defaults once per task; see ``AssetStepOperator.for_step``)."""
        task = cls(**kwargs)
        task._compiled = compiled
        return task

    def _job(self) -> CompiledJob:
        compiled = self.__dict__.get("_compiled") or getattr(self.dag, COMPILED_ATTRIBUTE, None)
        if not isinstance(compiled, CompiledJob):
            raise AirflowFailException(
                f"task {self.task_id!r} is not attached to an op job; build op DAGs with "
                "asset2airflow.airflow.build_dags(Definitions(jobs=[...]))."
            )
        return compiled

    def execute(self, context: Any) -> list[str] | None:
        compiled = self._job()
        job = compiled.job
        step = job.op_graph.step(self.task_id)
        params = dict(context.get("params") or {})
        dag_run, run_id, run_tags = run_identity(context, self.dag_id, self.task_id)
        with dynamic_partitions_store(DagsterInstance.ephemeral()):
            partitions = self._partitions(compiled, dag_run, params)
            key = partitions.keys[0] if partitions is not None else None
            parsed = parse_job_config(
                job,
                task_run_config(
                    params,
                    compiled.plan.params,
                    job.partitioned_config,
                    key,
                    f"job {job.name!r}",
                    job_config=job.config,
                    node_paths=True,
                ),
            )
            run_tags = {**partition_run_tags(job, key), **run_tags}
            with ResourceScope(compiled.resources, run_id, parsed.resource_config) as scope:
                env = OpRunEnvironment(
                    job.op_graph,
                    scope,
                    parsed,
                    run_id,
                    job.name,
                    partitions,
                    retry_in_process=False,
                    keep_values=False,
                    run_tags={**job.tags, **run_tags},
                )
                index = XComIndex(context["ti"], env.graph)
                outcome = run_op_step(env, step, self.mapping_key, index)
                self._report(context, outcome)
        returns = compiled.task(self.task_id).returns_keys_of
        return list(outcome.produced.get(returns) or []) if returns is not None else None

    def _partitions(
        self, compiled: CompiledJob, dag_run: Any, params: dict[str, Any]
    ) -> AssetPartitions | None:
        key = requested_partition_key(
            getattr(dag_run, "partition_key", None),
            params.get(PARTITION_KEY_PARAM),
            PARTITION_KEY_PARAM,
        )
        try:
            return job_partitions(compiled.job, key, KeySource.AIRFLOW_RUN)
        except PartitionError as exc:
            raise AirflowFailException(str(exc)) from exc

    def _report(self, context: Any, outcome: OpOutcome) -> None:
        """Log, push what the op produced, and turn a skip or failure into Airflow's."""
        for expectation in outcome.expectations:
            self.log.info(
                "Expectation %s: %s%s",
                expectation.label or "(unlabeled)",
                "passed" if expectation.success else "FAILED",
                f" ({expectation.description})" if expectation.description else "",
            )
        if outcome.skipped is not None:
            raise AirflowSkipException(f"op {outcome.step_key!r} skipped: {outcome.skipped}")
        if outcome.error is not None:
            if isinstance(outcome.error, FailureError) and outcome.error.metadata:
                metadata: Any = outcome.error.metadata  # MetadataValues, as Failure normalized them
                self.log.error("Failure metadata: %s", metadata_to_json(metadata))
            raise_in_airflow(outcome.error)
        for output, keys in outcome.produced.items():
            items = f" ({len(keys)} items: {keys[:10]})" if keys is not None else ""
            self.log.info("Op %r produced output %r%s", outcome.step_key, output, items)
        context["ti"].xcom_push(key=OP_XCOM_KEY, value=outcome_record(outcome))


class MappedOpStepOperator(OpStepOperator):
    """An op mapped over a ``DynamicOut``: ``.partial(...).expand(mapping_key=<producer's
    returned keys>)``; each task instance runs the op for one mapping key (shown as its map
    index label)."""

    ui_color = "#fbe3c8"

    def __init__(self, *, mapping_key: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.mapping_key = mapping_key
