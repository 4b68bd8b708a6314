"""The plan type: every DAG ``build_dags`` builds, as plain, frozen, sorted data (no Airflow
imports, no planning logic). It prints (``asset2airflow dags``), renders to code (``render``)
and compares in tests; ``arguments`` maps it to Airflow's constructors, ``builder`` builds it.

One ``DagPlan`` per DAG. What the DAG is made from is a type (``source``): assets
(``AssetsSource``, per-asset or fused), an op job (``OpJobSource``) or a schedule/sensor
(``InstigatorSource``). Each task is a type too: ``TaskPlan`` (one asset step),
``FusedTaskPlan`` (every step of a fused DAG), ``OpTaskPlan`` (one op, mapped over a
``DynamicOut`` or not) and ``EvaluateTaskPlan`` (evaluates a schedule or sensor). Run status
sensors are DAG callbacks (``failure_sensors``/``success_sensors``) of the DAGs they monitor.
See docs/adr/0003-plan.md.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from asset2airflow.airflow.automation import Condition
from asset2airflow.airflow.params import ParamPlan
from asset2airflow.airflow.partitions import PartitionPlan
from asset2airflow.authoring.jobs import ExecutionMode
from asset2airflow.authoring.specs import DEFAULT_GROUP


@dataclass(frozen=True)
class AssetRefPlan:
    """An Airflow ``Asset``: ``uri`` is ``None`` for assets produced elsewhere (referenced by
    name only, so the producer's URI need not be known)."""

    name: str
    uri: str | None = None
    group: str = DEFAULT_GROUP
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SchedulePlan:
    """``upstream`` assets (all required) and/or a ``cron``; neither means manual runs only.
    A partitioned DAG has ``partitions`` instead of a cron: for ``UpstreamPartitions`` the
    ``upstream`` are its partitioned upstreams, each with a mapper. A sensor's DAG runs every
    ``interval_seconds``."""

    upstream: tuple[AssetRefPlan, ...] = ()
    cron: str | None = None
    timezone: str = "UTC"
    partitions: PartitionPlan | None = None
    # From automation conditions and schedules (``airflow.automation``, ``instigator_plan``):
    # an asset condition replacing ``AssetAll(upstream)``, more crons, or one run only.
    condition: Condition | None = None
    extra_crons: tuple[str, ...] = ()
    once: bool = False
    interval_seconds: int | None = None


# --- tasks: a class per operator --------------------------------------------------------------


@dataclass(frozen=True)
class TaskPlan:
    """One asset step (an asset, a multi-asset, or an asset's checks)."""

    task_id: str
    asset_keys: tuple[str, ...]
    check_names: tuple[str, ...]
    outlets: tuple[AssetRefPlan, ...]
    upstream_task_ids: tuple[str, ...]
    inlets: tuple[AssetRefPlan, ...] = ()
    alias_outlets: tuple[str, ...] = ()
    retries: int = 0
    retry_delay_seconds: float = 0.0
    retry_exponential_backoff: float = 0.0
    owner: str | None = None
    doc_md: str | None = None
    # Operator arguments pinned with ``airflow_task``, applied over the derived ones.
    arguments: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class FusedTaskPlan(TaskPlan):
    """The one task of a fused DAG: runs every step of the DAG in dependency order."""


@dataclass(frozen=True)
class OpTaskPlan:
    """One op task. ``mapped_over``: the producer task whose returned mapping keys the task
    expands over; ``returns_keys_of``: the dynamic output whose keys this task returns."""

    task_id: str
    upstream_task_ids: tuple[str, ...]
    mapped_over: str | None = None
    returns_keys_of: str | None = None
    retries: int = 0
    retry_delay_seconds: float = 0.0
    retry_exponential_backoff: float = 0.0
    doc_md: str | None = None


@dataclass(frozen=True)
class EvaluateTaskPlan:
    """The one task of a schedule's or sensor's DAG: evaluates it, triggers its targets.
    ``inlets``: the sensor's state asset, the monitored asset, the dynamic partition
    registries (their stores/events are read)."""

    task_id: str
    inlets: tuple[AssetRefPlan, ...] = ()
    alias_outlets: tuple[str, ...] = ()
    doc_md: str | None = None
    upstream_task_ids: tuple[str, ...] = ()


AnyTaskPlan = TaskPlan | OpTaskPlan | EvaluateTaskPlan


# --- what a DAG is made from: a class per DAG kind --------------------------------------------


@dataclass(frozen=True)
class AssetsSource:
    """Assets: of a ``define_asset_job`` (``job_name``; its tasks read the job's config), an
    asset group or a module, run a task per step or fused into one task."""

    execution: ExecutionMode = ExecutionMode.PER_ASSET
    job_name: str | None = None


@dataclass(frozen=True)
class OpJobSource:
    """An op job (``@job``, ``graph.to_job``)."""

    job_name: str


class InstigatorKind(enum.Enum):
    SCHEDULE = "schedule"
    SENSOR = "sensor"
    ASSET_SENSOR = "asset_sensor"


@dataclass(frozen=True)
class InstigatorSource:
    """A schedule or sensor ``name``. ``targets`` are (job name, DAG id) pairs it may trigger;
    a sensor keeps its cursor in ``state_asset``'s store, an asset sensor reads the events of
    ``trigger_asset``. ``dag_id_prefix`` is the one its targets were planned with."""

    name: str
    kind: InstigatorKind
    targets: tuple[tuple[str, str], ...]
    state_asset: AssetRefPlan | None = None
    trigger_asset: AssetRefPlan | None = None
    dag_id_prefix: str = ""


DagSource = AssetsSource | OpJobSource | InstigatorSource


@dataclass(frozen=True)
class DagPlan:
    dag_id: str
    description: str
    tags: tuple[str, ...]
    owner: str
    schedule: SchedulePlan
    tasks: tuple[AnyTaskPlan, ...]
    params: tuple[ParamPlan, ...]
    asset_keys: tuple[str, ...]
    source: DagSource = AssetsSource()
    doc_md: str = ""
    # Set by schedules and sensors (``instigator_plan.apply_instigators``): paused at creation
    # (``None``: Airflow's default), the schedules that are its timetable, and the run status
    # sensors whose callbacks the DAG runs.
    is_paused_upon_creation: bool | None = None
    schedules: tuple[str, ...] = ()
    failure_sensors: tuple[str, ...] = ()
    success_sensors: tuple[str, ...] = ()
    # ``DAG(...)`` arguments pinned with ``airflow_dag``, applied over the derived ones.
    arguments: tuple[tuple[str, Any], ...] = ()

    @property
    def execution(self) -> ExecutionMode:
        """How an asset DAG runs its steps (op and instigator DAGs: a task per node)."""
        source = self.source
        return source.execution if isinstance(source, AssetsSource) else ExecutionMode.PER_ASSET

    @property
    def job_name(self) -> str | None:
        """The asset or op job the DAG is made from, if any."""
        source = self.source
        return source.job_name if isinstance(source, (AssetsSource, OpJobSource)) else None

    @property
    def asset_tasks(self) -> tuple[TaskPlan, ...]:
        """The tasks that materialize assets (per-asset or fused)."""
        return tuple(t for t in self.tasks if isinstance(t, TaskPlan))

    @property
    def op_tasks(self) -> tuple[OpTaskPlan, ...]:
        return tuple(t for t in self.tasks if isinstance(t, OpTaskPlan))
