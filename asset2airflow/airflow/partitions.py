"""How a DAG's partitions become Airflow 3.3 partition scheduling, as plain data (no Airflow
imports; ``arguments`` turns it into ``CronPartitionTimetable``, ``PartitionedAssetTimetable``
with mappers, or ``PartitionedAtRuntime``).

One Airflow DAG run carries one partition key, so the partitioned assets of one DAG share one
partitions definition. Which timetable:

- partitioned assets of this DAG read partitioned assets of other DAGs -> ``UpstreamPartitions``:
  the DAG runs when the upstream partitions land, each edge's partition mapping translated to an
  Airflow mapper (a daily -> weekly rollup waits for all seven days);
- otherwise a time-window definition -> ``CronPartitions``: one run per partition on the
  definition's cron, timezone and key format (backfills create one run per partition);
- otherwise (static, multi, dynamic) -> ``RuntimePartitions``: runs are triggered with a
  partition key.

Edges Airflow cannot express fail here, naming the edge and the fix.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

from asset2airflow.asset_graph.graph import AssetGraph
from asset2airflow.authoring.dynamic_partitions import dynamic_names
from asset2airflow.authoring.keys import AssetKey
from asset2airflow.authoring.partition_mappings import (
    IdentityPartitionMapping,
    PartitionMapping,
    TimeWindowPartitionMapping,
)
from asset2airflow.authoring.partitions import PartitionsDefinition
from asset2airflow.authoring.time_partitions import (
    Cadence,
    CadenceStart,
    TimeWindowPartitionsDefinition,
)
from asset2airflow.errors import DefinitionError

ENUM_PARAM_LIMIT = 100
"""A runtime-partitioned DAG's ``partition_key`` param lists the keys when there are at most
this many (a dropdown); beyond that it is free text, validated when the task runs."""


@dataclass(frozen=True)
class MapperPlan:
    """An Airflow partition mapper (or window) named in ``arguments.SOURCES``, with its
    keyword arguments (values may be ``MapperPlan``s)."""

    name: str
    kwargs: tuple[tuple[str, object], ...] = ()


@dataclass(frozen=True)
class CronPartitions:
    """One run per time window, on the definition's cron (``CronPartitionTimetable``)."""

    cron: str
    timezone: str
    key_format: str
    run_offset: int


@dataclass(frozen=True)
class UpstreamPartitions:
    """Runs when partitions of upstream assets of other DAGs land, each through its mapper
    (``PartitionedAssetTimetable``); ``mappers`` are sorted by upstream key."""

    mappers: tuple[tuple[AssetKey, MapperPlan], ...]


@dataclass(frozen=True)
class RuntimePartitions:
    """Runs triggered with a partition key (``PartitionedAtRuntime``); ``enum_keys`` lists
    the keys for the trigger form when they are known and few."""

    enum_keys: tuple[str, ...] = ()


PartitionPlan = CronPartitions | UpstreamPartitions | RuntimePartitions
"""How a partitioned DAG is scheduled: a class per kind (see the module doc)."""


def partitions_of_dag(
    graph: AssetGraph, keys: Collection[AssetKey], dag_id: str
) -> PartitionsDefinition | None:
    """The one partitions definition of the DAG's partitioned assets (``None``: none)."""
    found = graph.partitions_defs_among(keys)
    if len(found) > 1:
        (first, first_def), (key, definition) = found[:2]
        raise DefinitionError(
            f"DAG {dag_id!r} holds {first.to_user_string()!r} ({first_def!r}) and "
            f"{key.to_user_string()!r} ({definition!r}); one Airflow DAG run has one partition "
            "key, so assets with different partitions must be in different DAGs: give them "
            "different group_name values (or jobs). The downstream DAG is then scheduled by "
            "the upstream's partitions through a partition mapper."
        )
    return found[0][1] if found else None


def plan_partitions(
    graph: AssetGraph,
    keys: Collection[AssetKey],
    external_upstream: Collection[AssetKey],
    dag_id: str,
    dag_of: Callable[[AssetKey], str],
) -> PartitionPlan | None:
    """The DAG's partition scheduling; ``external_upstream`` are assets it reads from other
    DAGs, ``dag_of`` names the DAG producing one (for errors)."""
    definition = partitions_of_dag(graph, keys, dag_id)
    _refuse_unpartitioned_reading_partitioned(graph, keys, external_upstream, dag_of)
    if definition is None:
        return None
    mappers: dict[AssetKey, MapperPlan] = {}
    for upstream in sorted(external_upstream):
        upstream_def = graph.spec(upstream).partitions_def
        if upstream_def is None:
            continue
        # Every edge from the upstream is checked: Airflow holds one mapper per upstream asset,
        # and a translatable mapping between these two definitions always gives the same one.
        for key in sorted(keys):
            if upstream in graph.upstream[key] and graph.spec(key).partitions_def is not None:
                mapping = graph.partition_mapping(key, upstream)
                assert mapping is not None
                mapper = airflow_mapper(mapping, upstream_def, definition)
                if mapper is None:
                    raise DefinitionError(
                        f"asset {key.to_user_string()!r} (DAG {dag_id!r}) reads "
                        f"{upstream.to_user_string()!r} (DAG {dag_of(upstream)!r}) through "
                        f"{mapping!r} from {upstream_def!r} to {definition!r}, which Airflow "
                        "3.3's partition mappers cannot express (its weeks start on Monday: "
                        "WeeklyPartitionsDefinition(..., day_offset=1)). Put both assets in one "
                        "DAG "
                        "(same group_name or job) with the same partitions definition, where "
                        "the engine applies the mapping, or use a translatable mapping (see "
                        "the README's partition mapping table)."
                    )
                mappers.setdefault(upstream, mapper)
    if mappers:
        return UpstreamPartitions(tuple(mappers.items()))
    return root_partition_plan(definition)


def root_partition_plan(definition: PartitionsDefinition) -> PartitionPlan:
    """How a DAG partitioned by ``definition`` with no partitioned upstream is scheduled
    (assets, or an op job with ``partitions_def``): on a cron or at run time."""
    if isinstance(definition, TimeWindowPartitionsDefinition):
        return CronPartitions(
            cron=definition.cron_schedule,
            timezone=definition.timezone,
            key_format=definition.fmt,
            # A partition's run starts when its window has ended: one tick later.
            run_offset=definition.end_offset - 1,
        )
    if dynamic_names(definition):
        return RuntimePartitions()  # keys are added at run time: no list at parse time
    every = definition.get_partition_keys()
    return RuntimePartitions(tuple(every) if len(every) <= ENUM_PARAM_LIMIT else ())


def _refuse_unpartitioned_reading_partitioned(
    graph: AssetGraph,
    keys: Collection[AssetKey],
    external_upstream: Collection[AssetKey],
    dag_of: Callable[[AssetKey], str],
) -> None:
    """Airflow 3.3 never triggers an unpartitioned DAG from a partitioned asset event, so such
    a cross-DAG edge would silently never run its downstream."""
    for upstream in sorted(external_upstream):
        if graph.spec(upstream).partitions_def is None or graph.get(upstream).is_external:
            continue
        for key in sorted(keys):
            on_cron = graph.spec(key).automation_condition
            if (
                upstream in graph.upstream[key]
                and graph.spec(key).partitions_def is None
                and not (on_cron is not None and on_cron.kind == "on_cron")
            ):
                raise DefinitionError(
                    f"asset {key.to_user_string()!r} is not partitioned and reads the "
                    f"partitioned asset {upstream.to_user_string()!r} of DAG "
                    f"{dag_of(upstream)!r}; Airflow 3.3 never triggers an unpartitioned DAG "
                    "from partitioned asset events, so it would never run. Put it in the same "
                    f"group or job as {upstream.to_user_string()!r} (it then runs after each "
                    "partition), give it a partitions_def, or give it "
                    "automation_condition=AutomationCondition.on_cron(...)."
                )


def airflow_mapper(
    mapping: PartitionMapping,
    upstream_def: PartitionsDefinition,
    downstream_def: PartitionsDefinition,
) -> MapperPlan | None:
    """The Airflow mapper doing what ``mapping`` does between these definitions, or ``None``
    when Airflow 3.3 has none. Keys must match exactly: identity needs equal definitions
    (hence equal key formats); a rollup needs one timezone and calendar-aligned windows."""
    plain = isinstance(mapping, IdentityPartitionMapping) or (
        isinstance(mapping, TimeWindowPartitionMapping)
        and mapping.start_offset == 0
        and mapping.end_offset == 0
    )
    if not plain:
        return None
    if upstream_def == downstream_def:
        return MapperPlan("IdentityMapper")
    if not (
        isinstance(mapping, TimeWindowPartitionMapping)
        and isinstance(upstream_def, TimeWindowPartitionsDefinition)
        and isinstance(downstream_def, TimeWindowPartitionsDefinition)
        and upstream_def.timezone == downstream_def.timezone
    ):
        return None
    rollup = _ROLLUPS.get((_airflow_unit(upstream_def), _airflow_unit(downstream_def)))
    if rollup is None:
        return None
    mapper_name, window_name = rollup
    upstream_mapper = MapperPlan(
        mapper_name,
        (
            ("timezone", downstream_def.timezone),
            ("input_format", upstream_def.fmt),
            ("output_format", downstream_def.fmt),
        ),
    )
    return MapperPlan(
        "RollupMapper", (("upstream_mapper", upstream_mapper), ("window", MapperPlan(window_name)))
    )


# (upstream cadence, downstream cadence) -> (Airflow start-of mapper, window of upstream members)
_ROLLUPS: dict[tuple[Cadence | None, Cadence | None], tuple[str, str]] = {
    (Cadence.HOURLY, Cadence.DAILY): ("StartOfDayMapper", "DayWindow"),
    (Cadence.DAILY, Cadence.WEEKLY): ("StartOfWeekMapper", "WeekWindow"),
    (Cadence.DAILY, Cadence.MONTHLY): ("StartOfMonthMapper", "MonthWindow"),
}

# Where Airflow's mappers start each unit: the hour at :00, the day at midnight, the week on
# Monday (ISO; cron weekday 1), the month on the 1st.
_AIRFLOW_STARTS = {
    Cadence.HOURLY: CadenceStart(),
    Cadence.DAILY: CadenceStart(),
    Cadence.WEEKLY: CadenceStart(day=1),
    Cadence.MONTHLY: CadenceStart(day=1),
}


def _airflow_unit(definition: TimeWindowPartitionsDefinition) -> Cadence | None:
    """The definition's cadence when its windows start where Airflow's mappers' do, else
    ``None`` (the cadence comes from the definition, never from parsing its cron)."""
    cadence = definition.cadence
    if cadence is None or definition.cadence_start != _AIRFLOW_STARTS[cadence]:
        return None
    return cadence
