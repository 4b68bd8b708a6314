"""Partition definitions. Only static partitions live here for now; time-window partitions and
their translation to Airflow partition timetables come with the partitions work."""

from __future__ import annotations

import abc
from collections.abc import Sequence

from asset2airflow.errors import DefinitionError, PartitionError


class PartitionsDefinition(abc.ABC):
    """The set of partition keys an asset is split into."""

    @abc.abstractmethod
    def get_partition_keys(self) -> list[str]:
        """Every key, in order."""

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
