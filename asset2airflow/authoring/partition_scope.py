"""``AssetPartitions``: the partitions of one asset that a run writes, or that an input reads
(its upstream's keys after the partition mapping). Contexts answer Dagster's
``asset_partition_key*`` / ``*_time_window`` questions from it."""

from __future__ import annotations

from dataclasses import dataclass

from asset2airflow.authoring.partitions import PartitionKeyRange, PartitionsDefinition
from asset2airflow.authoring.time_partitions import TimeWindow, TimeWindowPartitionsDefinition
from asset2airflow.errors import PartitionError


@dataclass(frozen=True)
class AssetPartitions:
    """``keys`` of ``partitions_def`` (in its order); ``owner`` names them in errors."""

    partitions_def: PartitionsDefinition
    keys: tuple[str, ...]
    owner: str

    @property
    def key(self) -> str:
        """The one key; an error when there are several (use ``keys`` or ``key_range``)."""
        if len(self.keys) != 1:
            raise PartitionError(
                f"{self.owner} spans {len(self.keys)} partitions, not one; use the "
                "partition_keys / partition_key_range variant."
            )
        return self.keys[0]

    @property
    def key_range(self) -> PartitionKeyRange:
        if not self.keys:
            raise PartitionError(f"{self.owner} spans no partitions")
        return PartitionKeyRange(self.keys[0], self.keys[-1])

    @property
    def time_window(self) -> TimeWindow:
        """From the start of the first partition to the end of the last."""
        definition = self.partitions_def
        if not isinstance(definition, TimeWindowPartitionsDefinition):
            raise PartitionError(
                f"{self.owner} is partitioned by {definition!r}, which has no time windows."
            )
        key_range = self.key_range
        first = definition.time_window_for_partition_key(key_range.start, self.owner)
        last = definition.time_window_for_partition_key(key_range.end, self.owner)
        return TimeWindow(first.start, last.end)
