"""Partition definitions. Only static partitions live here for now; time-window partitions and
their translation to Airflow partition timetables come with the partitions work."""

from __future__ import annotations

import abc
from collections.abc import Sequence
from dataclasses import dataclass

from asset2airflow.errors import DefinitionError, PartitionError


@dataclass(frozen=True)
class PartitionKeyRange:
    """The keys from ``start`` to ``end``, both included (Dagster's name)."""

    start: str
    end: str


class PartitionsDefinition(abc.ABC):
    """The set of partition keys an asset is split into."""

    @abc.abstractmethod
    def get_partition_keys(self) -> list[str]:
        """Every key, in order."""

    def key_object(self, partition_key: str) -> str:
        """The key as user code receives it (``MultiPartitionKey`` for multi-partitions)."""
        return partition_key

    def get_last_partition_key(self) -> str | None:
        keys = self.get_partition_keys()
        return keys[-1] if keys else None

    def get_partition_keys_in_range(self, partition_key_range: PartitionKeyRange) -> list[str]:
        """The keys from ``start`` to ``end`` of the range, both included, in order."""
        keys = self.get_partition_keys()
        for key in (partition_key_range.start, partition_key_range.end):
            self.validate_key(key, "the partition range")
        first = keys.index(partition_key_range.start)
        last = keys.index(partition_key_range.end)
        if last < first:
            raise PartitionError(
                f"partition range {partition_key_range.start!r}...{partition_key_range.end!r} "
                "ends before it starts; give the earlier key first."
            )
        return keys[first : last + 1]

    def validate_key(self, partition_key: str, owner: str) -> None:
        """Raise naming ``owner`` when ``partition_key`` is not one of this definition's keys."""
        keys = self.get_partition_keys()
        if partition_key not in keys:
            shown = ", ".join(keys[:10]) + (", ..." if len(keys) > 10 else "")
            raise PartitionError(
                f"partition key {partition_key!r} is not a partition of {owner}; "
                f"valid keys: {shown}"
            )


class StaticPartitionsDefinition(PartitionsDefinition):
    """A fixed list of partition keys, e.g. regions."""

    def __init__(self, partition_keys: Sequence[str]) -> None:
        keys = list(partition_keys)
        if len(set(keys)) != len(keys):
            duplicates = sorted({k for k in keys if keys.count(k) > 1})
            raise DefinitionError(f"StaticPartitionsDefinition has duplicate keys: {duplicates}")
        self._keys = keys

    def get_partition_keys(self) -> list[str]:
        return list(self._keys)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, StaticPartitionsDefinition) and other._keys == self._keys

    def __hash__(self) -> int:
        return hash(tuple(self._keys))

    def __repr__(self) -> str:
        return f"StaticPartitionsDefinition({self._keys!r})"
