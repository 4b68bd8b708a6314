"""How a DAG's partitions become Airflow 3.3 partition scheduling, as plain data (no Airflow
imports; ``arguments`` turns it into ``CronPartitionTimetable``, ``PartitionedAssetTimetable``
with mappers, or ``PartitionedAtRuntime``).

One Airflow DAG run carries one partition key, so the partitioned assets of one DAG share one
partitions definition. Which timetable:

- partitioned assets of this DAG read partitioned assets of other DAGs -> ``assets``: the DAG
  runs when the upstream partitions land, each edge's partition mapping translated to an Airflow
  mapper (a daily -> weekly rollup waits for all seven days);
- otherwise a time-window definition -> ``cron``: one run per partition on the definition's
  cron, timezone and key format (backfills create one run per partition);
- otherwise (static, multi) -> ``runtime``: runs are triggered with a partition key.

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
from asset2airflow.authoring.time_partitions import TimeWindowPartitionsDefinition
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
class PartitionPlan:
    """``kind`` is ``cron``, ``assets`` or ``runtime`` (see the module doc)."""

    kind: str
    cron: str | None = None
    timezone: str = "UTC"
    key_format: str | None = None
    run_offset: int = 0
    mappers: tuple[tuple[AssetKey, MapperPlan], ...] = ()
    enum_keys: tuple[str, ...] = ()


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
        return PartitionPlan("assets", mappers=tuple(mappers.items()))
    return root_partition_plan(definition)


def root_partition_plan(definition: PartitionsDefinition) -> PartitionPlan:
    """How a DAG partitioned by ``definition`` with no partitioned upstream is scheduled
    (assets, or an op job with ``partitions_def``): ``cron`` or ``runtime``."""
    if isinstance(definition, TimeWindowPartitionsDefinition):
        return PartitionPlan(
            "cron",
            cron=definition.cron_schedule,
            timezone=definition.timezone,
            key_format=definition.fmt,
            # A partition's run starts when its window has ended: one tick later.
            run_offset=definition.end_offset - 1,
        )
    if dynamic_names(definition):
        return PartitionPlan("runtime")  # keys are added at run time: no list at parse time
    every = definition.get_partition_keys()
    enum = tuple(every) if len(every) <= ENUM_PARAM_LIMIT else ()
    return PartitionPlan("runtime", enum_keys=enum)


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
    rollup = _ROLLUPS.get((_unit(upstream_def), _unit(downstream_def)))
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


# (upstream unit, downstream unit) -> (Airflow start-of mapper, window of upstream members)
_ROLLUPS: dict[tuple[str | None, str | None], tuple[str, str]] = {
    ("hour", "day"): ("StartOfDayMapper", "DayWindow"),
    ("day", "week"): ("StartOfWeekMapper", "WeekWindow"),
    ("day", "month"): ("StartOfMonthMapper", "MonthWindow"),
}

_UNITS = {
    "0 * * * *": "hour",
    "0 0 * * *": "day",
    "0 0 * * 1": "week",  # Airflow's weeks start on Monday (ISO)
    "0 0 1 * *": "month",
}


def _unit(definition: TimeWindowPartitionsDefinition) -> str | None:
    """The calendar unit of a definition aligned the way Airflow's mappers are, else ``None``."""
    return _UNITS.get(definition.cron_schedule)
