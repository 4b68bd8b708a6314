"""``MultiPartitionsDefinition``: partitions along two dimensions (Dagster's names and key
format): each key joins one key per dimension with ``|``, dimensions in name order, e.g.
``"2024-01-05|eu"`` for ``{"date": daily, "region": regions}``."""

from __future__ import annotations

import itertools
from collections.abc import Mapping

from asset2airflow.authoring.partitions import PartitionsDefinition
from asset2airflow.errors import DefinitionError, PartitionError

SEPARATOR = "|"


class MultiPartitionKey(str):
    """A multi-dimensional key: the ``"a|b"`` string, plus ``keys_by_dimension``."""

    keys_by_dimension: dict[str, str]

    def __new__(cls, keys_by_dimension: Mapping[str, str]) -> MultiPartitionKey:
        names = sorted(keys_by_dimension)
        key = super().__new__(cls, SEPARATOR.join(keys_by_dimension[n] for n in names))
        key.keys_by_dimension = {n: keys_by_dimension[n] for n in names}
        return key


class MultiPartitionsDefinition(PartitionsDefinition):
    """Two named dimensions; every combination of their keys is a partition."""

    def __init__(self, partitions_defs: Mapping[str, PartitionsDefinition]) -> None:
        if len(partitions_defs) != 2:
            raise DefinitionError(
                f"MultiPartitionsDefinition takes exactly two dimensions (as in Dagster), got "
                f"{sorted(partitions_defs)}."
            )
        for name, definition in partitions_defs.items():
            if not name or SEPARATOR in name or not isinstance(definition, PartitionsDefinition):
                raise DefinitionError(
                    f"MultiPartitionsDefinition dimension {name!r} must have a non-empty name "
                    f"without {SEPARATOR!r} and a partitions definition, got {definition!r}."
                )
            if isinstance(definition, MultiPartitionsDefinition):
                raise DefinitionError("MultiPartitionsDefinition dimensions cannot be nested")
        self.partitions_defs = {n: partitions_defs[n] for n in sorted(partitions_defs)}

    @property
    def partition_dimension_names(self) -> list[str]:
        return list(self.partitions_defs)

    def get_partition_keys(self) -> list[str]:
        dimensions = [d.get_partition_keys() for d in self.partitions_defs.values()]
        for name, keys in zip(self.partitions_defs, dimensions, strict=True):
            bad = next((k for k in keys if SEPARATOR in k), None)
            if bad is not None:
                raise DefinitionError(
                    f"dimension {name!r} has the key {bad!r}, which contains {SEPARATOR!r}, the "
                    "separator of multi-partition keys; rename that key."
                )
        names = list(self.partitions_defs)
        return [
            MultiPartitionKey(dict(zip(names, combination, strict=True)))
            for combination in itertools.product(*dimensions)
        ]

    def key_object(self, partition_key: str) -> str:
        """``context.partition_key`` of a multi-partitioned asset: a ``MultiPartitionKey``."""
        names = list(self.partitions_defs)
        return MultiPartitionKey(dict(zip(names, partition_key.split(SEPARATOR), strict=True)))

    def get_partition_key(self, keys_by_dimension: Mapping[str, str]) -> MultiPartitionKey:
        """The key of one combination, checked."""
        key = MultiPartitionKey(keys_by_dimension)
        self.validate_key(key, "this MultiPartitionsDefinition")
        return key

    def validate_key(self, partition_key: str, owner: str) -> None:
        """Each part must be a key of its dimension; errors quote the key and the format."""
        parts = partition_key.split(SEPARATOR)
        names = list(self.partitions_defs)
        if len(parts) != len(names):
            raise PartitionError(
                f"partition key {partition_key!r} of {owner} is not a multi-partition key: "
                f"expected {SEPARATOR.join(f'<{n}>' for n in names)}, e.g. "
                f"{self._example()!r}."
            )
        for name, part in zip(names, parts, strict=True):
            self.partitions_defs[name].validate_key(
                part, f"{owner} (dimension {name!r} of key {partition_key!r})"
            )

    def _example(self) -> str:
        firsts = []
        for definition in self.partitions_defs.values():
            keys = definition.get_partition_keys()
            firsts.append(keys[0] if keys else "?")
        return SEPARATOR.join(firsts)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, MultiPartitionsDefinition)
            and other.partitions_defs == self.partitions_defs
        )

    def __hash__(self) -> int:
        return hash(tuple(self.partitions_defs.items()))

    def __repr__(self) -> str:
        return f"MultiPartitionsDefinition({self.partitions_defs!r})"
