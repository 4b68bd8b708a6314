"""Partition mappings, with Dagster's names and semantics: which partitions of an upstream asset
a partition of a downstream asset reads.

``upstream_keys(downstream_keys, downstream_def, upstream_def)`` answers it for the engine (the
keys an input loads); the Airflow compiler translates the same objects to Airflow partition
mappers (``airflow.partitions``). A mapping that names upstream partitions which do not exist
raises ``PartitionError`` naming them, unless it was told to allow that.
"""

from __future__ import annotations

import abc
from collections.abc import Collection, Mapping, Sequence

from asset2airflow.authoring.multi_partitions import MultiPartitionKey, MultiPartitionsDefinition
from asset2airflow.authoring.partitions import PartitionsDefinition
from asset2airflow.authoring.time_partitions import TimeWindowPartitionsDefinition
from asset2airflow.errors import DefinitionError, PartitionError


class PartitionMapping(abc.ABC):
    """Maps downstream partitions to the upstream partitions they read."""

    @abc.abstractmethod
    def upstream_keys(
        self,
        downstream_keys: Sequence[str] | None,
        downstream_def: PartitionsDefinition | None,
        upstream_def: PartitionsDefinition,
    ) -> list[str]:
        """The upstream keys read for ``downstream_keys`` (``None``: an unpartitioned
        downstream), in the upstream's order."""

    def problem_with(
        self, downstream_def: PartitionsDefinition | None, upstream_def: PartitionsDefinition
    ) -> str | None:
        """Why this mapping cannot join these definitions (checked when the graph is built),
        or ``None``."""
        return None

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and vars(other) == vars(self)

    def __hash__(self) -> int:
        return hash((type(self).__name__, repr(self)))

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({fields})"


def _existing(
    wanted: Sequence[str], upstream_def: PartitionsDefinition, mapping: PartitionMapping
) -> list[str]:
    valid = set(upstream_def.get_partition_keys())
    missing = [k for k in wanted if k not in valid]
    if missing:
        shown = ", ".join(repr(k) for k in missing[:5]) + (", ..." if len(missing) > 5 else "")
        raise PartitionError(
            f"{mapping!r} maps to upstream partitions that do not exist: {shown}. Check the "
            "partitions definitions of both assets, or choose another partition mapping."
        )
    return list(wanted)


def _require_downstream(
    downstream_keys: Sequence[str] | None, mapping: PartitionMapping
) -> Sequence[str]:
    if downstream_keys is None:
        raise DefinitionError(
            f"{mapping!r} maps downstream partitions, but the downstream asset is not "
            "partitioned; use AllPartitionMapping or LastPartitionMapping."
        )
    return downstream_keys


class IdentityPartitionMapping(PartitionMapping):
    """Partition ``k`` downstream reads partition ``k`` upstream."""

    def problem_with(
        self, downstream_def: PartitionsDefinition | None, upstream_def: PartitionsDefinition
    ) -> str | None:
        if downstream_def is None:
            return "the downstream asset is not partitioned; use AllPartitionMapping"
        return None

    def upstream_keys(
        self,
        downstream_keys: Sequence[str] | None,
        downstream_def: PartitionsDefinition | None,
        upstream_def: PartitionsDefinition,
    ) -> list[str]:
        return _existing(_require_downstream(downstream_keys, self), upstream_def, self)


class AllPartitionMapping(PartitionMapping):
    """Every downstream partition reads every upstream partition."""

    def upstream_keys(
        self,
        downstream_keys: Sequence[str] | None,
        downstream_def: PartitionsDefinition | None,
        upstream_def: PartitionsDefinition,
    ) -> list[str]:
        return upstream_def.get_partition_keys()


class LastPartitionMapping(PartitionMapping):
    """Every downstream partition reads the upstream's last partition."""

    def upstream_keys(
        self,
        downstream_keys: Sequence[str] | None,
        downstream_def: PartitionsDefinition | None,
        upstream_def: PartitionsDefinition,
    ) -> list[str]:
        last = upstream_def.get_last_partition_key()
        if last is None:
            raise PartitionError(f"{self!r}: the upstream asset has no partitions yet.")
        return [last]


class SpecificPartitionsPartitionMapping(PartitionMapping):
    """Every downstream partition reads the given upstream partitions."""

    def __init__(self, partition_keys: Sequence[str]) -> None:
        self.partition_keys = list(partition_keys)

    def upstream_keys(
        self,
        downstream_keys: Sequence[str] | None,
        downstream_def: PartitionsDefinition | None,
        upstream_def: PartitionsDefinition,
    ) -> list[str]:
        return _existing(self.partition_keys, upstream_def, self)


class StaticPartitionMapping(PartitionMapping):
    """An explicit table from each upstream key to the downstream key(s) it feeds."""

    def __init__(
        self,
        downstream_partition_keys_by_upstream_partition_key: Mapping[str, str | Collection[str]],
    ) -> None:
        table: dict[str, tuple[str, ...]] = {}
        for upstream, downstream in downstream_partition_keys_by_upstream_partition_key.items():
            table[upstream] = (downstream,) if isinstance(downstream, str) else tuple(downstream)
        self.downstream_partition_keys_by_upstream_partition_key = table

    def problem_with(
        self, downstream_def: PartitionsDefinition | None, upstream_def: PartitionsDefinition
    ) -> str | None:
        if downstream_def is None:
            return "the downstream asset is not partitioned; use AllPartitionMapping"
        return None

    def upstream_keys(
        self,
        downstream_keys: Sequence[str] | None,
        downstream_def: PartitionsDefinition | None,
        upstream_def: PartitionsDefinition,
    ) -> list[str]:
        wanted = set(_require_downstream(downstream_keys, self))
        table = self.downstream_partition_keys_by_upstream_partition_key
        keys = [up for up, downs in table.items() if wanted.intersection(downs)]
        order = {k: i for i, k in enumerate(upstream_def.get_partition_keys())}
        return sorted(_existing(keys, upstream_def, self), key=order.__getitem__)


class TimeWindowPartitionMapping(PartitionMapping):
    """A downstream time window reads the upstream partitions overlapping it, widened by
    ``start_offset``/``end_offset`` upstream partitions (``-1, -1``: the previous one; a daily
    upstream of a weekly downstream gives the week's seven days)."""

    def __init__(
        self,
        start_offset: int = 0,
        end_offset: int = 0,
        allow_nonexistent_upstream_partitions: bool = False,
    ) -> None:
        if start_offset > end_offset:
            raise DefinitionError(
                f"TimeWindowPartitionMapping(start_offset={start_offset}, end_offset="
                f"{end_offset}): start_offset must not be after end_offset."
            )
        self.start_offset = start_offset
        self.end_offset = end_offset
        self.allow_nonexistent_upstream_partitions = allow_nonexistent_upstream_partitions

    def problem_with(
        self, downstream_def: PartitionsDefinition | None, upstream_def: PartitionsDefinition
    ) -> str | None:
        if not isinstance(downstream_def, TimeWindowPartitionsDefinition) or not isinstance(
            upstream_def, TimeWindowPartitionsDefinition
        ):
            return "both assets need time-window partitions (Daily, Weekly...)"
        return None

    def upstream_keys(
        self,
        downstream_keys: Sequence[str] | None,
        downstream_def: PartitionsDefinition | None,
        upstream_def: PartitionsDefinition,
    ) -> list[str]:
        keys = _require_downstream(downstream_keys, self)
        if not isinstance(downstream_def, TimeWindowPartitionsDefinition) or not isinstance(
            upstream_def, TimeWindowPartitionsDefinition
        ):
            raise DefinitionError(
                f"{self!r} needs time-window partitions on both assets; got "
                f"{downstream_def!r} and {upstream_def!r}."
            )
        result: dict[str, None] = {}
        for key in keys:
            window = downstream_def.time_window_for_partition_key(key)
            every, first, after = upstream_def.keys_overlapping(window.start, window.end)
            if first >= after:  # no upstream window overlaps: it does not exist (yet)
                if not self.allow_nonexistent_upstream_partitions:
                    raise PartitionError(
                        f"{self!r}: no upstream partition covers downstream partition {key!r} "
                        f"({window.start.isoformat()} to {window.end.isoformat()})."
                    )
                continue
            low, high = first + self.start_offset, after - 1 + self.end_offset
            if low < 0 or high >= len(every):
                if not self.allow_nonexistent_upstream_partitions:
                    raise PartitionError(
                        f"{self!r}: downstream partition {key!r} needs upstream partitions "
                        f"{high - low + 1} wide from offset {self.start_offset}, which reach "
                        f"outside the upstream's partitions ({every[0]!r} to {every[-1]!r}). "
                        "Pass allow_nonexistent_upstream_partitions=True to read what exists."
                    )
                low, high = max(low, 0), min(high, len(every) - 1)
            result.update(dict.fromkeys(every[low : high + 1]))
        return list(result)


class MultiToSingleDimensionPartitionMapping(PartitionMapping):
    """Between a multi-partitioned and a single-partitioned asset, matching one dimension:
    a single-dimension downstream key reads every upstream key with that value; a multi
    downstream key reads the upstream key equal to its value in that dimension."""

    def __init__(self, partition_dimension_name: str | None = None) -> None:
        self.partition_dimension_name = partition_dimension_name

    def problem_with(
        self, downstream_def: PartitionsDefinition | None, upstream_def: PartitionsDefinition
    ) -> str | None:
        multi = [
            d for d in (downstream_def, upstream_def) if isinstance(d, MultiPartitionsDefinition)
        ]
        if downstream_def is None or len(multi) != 1:
            return "one asset needs multi-partitions and the other single partitions"
        single = upstream_def if multi[0] is downstream_def else downstream_def
        try:
            self.dimension(multi[0], single)
        except DefinitionError as exc:
            return str(exc)
        return None

    def dimension(self, multi: MultiPartitionsDefinition, single: PartitionsDefinition) -> str:
        """The dimension the mapping matches on (given, or the one defined like ``single``)."""
        names = multi.partition_dimension_names
        if self.partition_dimension_name is not None:
            if self.partition_dimension_name not in names:
                raise DefinitionError(
                    f"{self!r}: the multi-partitions have no dimension "
                    f"{self.partition_dimension_name!r}; dimensions: {names}"
                )
            return self.partition_dimension_name
        matching = [n for n, d in multi.partitions_defs.items() if d == single]
        if len(matching) != 1:
            raise DefinitionError(
                f"{self!r}: pass partition_dimension_name=, one of {names} (no single dimension "
                f"is defined like {single!r})."
            )
        return matching[0]

    def upstream_keys(
        self,
        downstream_keys: Sequence[str] | None,
        downstream_def: PartitionsDefinition | None,
        upstream_def: PartitionsDefinition,
    ) -> list[str]:
        keys = _require_downstream(downstream_keys, self)
        if isinstance(upstream_def, MultiPartitionsDefinition) and downstream_def is not None:
            name = self.dimension(upstream_def, downstream_def)
            wanted = set(keys)
            return [
                k
                for k in upstream_def.get_partition_keys()
                if _dimension_value(upstream_def, k, name) in wanted
            ]
        if isinstance(downstream_def, MultiPartitionsDefinition):
            name = self.dimension(downstream_def, upstream_def)
            values = [_dimension_value(downstream_def, k, name) for k in keys]
            return _existing(list(dict.fromkeys(values)), upstream_def, self)
        raise DefinitionError(f"{self!r} needs a multi-partitioned asset on one side of the edge.")


def _dimension_value(definition: MultiPartitionsDefinition, key: str, dimension: str) -> str:
    key_object = definition.key_object(key)
    assert isinstance(key_object, MultiPartitionKey)
    return key_object.keys_by_dimension[dimension]


def infer_partition_mapping(
    upstream_def: PartitionsDefinition, downstream_def: PartitionsDefinition | None
) -> PartitionMapping:
    """Dagster's default when an edge names no mapping: all partitions for an unpartitioned
    downstream, overlapping windows between time partitions, the shared dimension between
    multi and single partitions, the same key otherwise."""
    if downstream_def is None:
        return AllPartitionMapping()
    if isinstance(upstream_def, TimeWindowPartitionsDefinition) and isinstance(
        downstream_def, TimeWindowPartitionsDefinition
    ):
        return TimeWindowPartitionMapping()
    if isinstance(upstream_def, MultiPartitionsDefinition) != isinstance(
        downstream_def, MultiPartitionsDefinition
    ):
        return MultiToSingleDimensionPartitionMapping()
    return IdentityPartitionMapping()
