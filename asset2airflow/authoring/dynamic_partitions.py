"""Dynamic partitions: keys added while pipelines run (a new file, a new customer), kept by a
``DynamicPartitionsStore``.

Where the keys live depends on where the run happens: locally in the ``DagsterInstance`` passed
to ``materialize(instance=...)`` (a fresh one per run otherwise); in Airflow in the metadata DB,
as asset events of one registry asset per definition (see ``asset2airflow.airflow.dynamic``).
Definitions never hold keys themselves, so one module parses the same everywhere.

A run for a key that is not yet a partition adds it (Airflow's runtime partitions work this way:
the run decides the key), unlike Dagster, which rejects it until it is added.
"""

from __future__ import annotations

import abc
import contextlib
import re
from collections.abc import Iterator, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from asset2airflow.authoring.partitions import PartitionsDefinition
from asset2airflow.errors import DefinitionError, NotSupportedError, PartitionError

_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
# Dagster's forbidden substrings, plus '|' (multi-partition separator); Airflow caps keys at 250.
_FORBIDDEN = ("...", "|", "\a", "\b", "\f", "\n", "\r", "\t", "\v", "\0")
MAX_KEY_LENGTH = 250


class DynamicPartitionsStore(abc.ABC):
    """Holds the keys of dynamic partitions definitions, by definition name (Dagster's
    ``DagsterInstance`` method names)."""

    @abc.abstractmethod
    def get_dynamic_partitions(self, partitions_def_name: str) -> list[str]:
        """The keys in the order they were added."""

    @abc.abstractmethod
    def add_dynamic_partitions(
        self, partitions_def_name: str, partition_keys: Sequence[str]
    ) -> None:
        """Add keys (already present ones are ignored)."""

    @abc.abstractmethod
    def delete_dynamic_partition(self, partitions_def_name: str, partition_key: str) -> None:
        """Remove one key (its stored data is kept)."""

    def has_dynamic_partition(self, partitions_def_name: str, partition_key: str) -> bool:
        return partition_key in self.get_dynamic_partitions(partitions_def_name)


class DagsterInstance(DynamicPartitionsStore):
    """The local stand-in for Dagster's instance: it holds dynamic partition keys, in memory.
    Runs, events and schedules live in Airflow, so nothing else of Dagster's instance exists."""

    def __init__(self) -> None:
        self._keys: dict[str, list[str]] = {}

    @classmethod
    def ephemeral(cls) -> DagsterInstance:
        return cls()

    def get_dynamic_partitions(self, partitions_def_name: str) -> list[str]:
        return list(self._keys.get(partitions_def_name, ()))

    def add_dynamic_partitions(
        self, partitions_def_name: str, partition_keys: Sequence[str]
    ) -> None:
        keys = self._keys.setdefault(partitions_def_name, [])
        for key in _checked_keys(partitions_def_name, partition_keys):
            if key not in keys:
                keys.append(key)

    def delete_dynamic_partition(self, partitions_def_name: str, partition_key: str) -> None:
        keys = self._keys.get(partitions_def_name, [])
        if partition_key in keys:
            keys.remove(partition_key)


_active_store: ContextVar[DynamicPartitionsStore | None] = ContextVar(
    "asset2airflow_dynamic_partitions_store", default=None
)




@contextlib.contextmanager
def instance_for_test(
    overrides: Mapping[str, Any] | None = None,
    set_dagster_home: bool = True,
    temp_dir: str | None = None,
    synchronous_run_coordinator: bool = False,
    synchronous_run_launcher: bool = False,
) -> Iterator[DagsterInstance]:
    """Dagster's test instance: a fresh ``DagsterInstance`` (dynamic partition keys, in memory),
    for ``materialize(instance=...)`` and ``build_sensor_context(instance=...)``. The other
    arguments place Dagster's storage and run queue, which do not exist here: they change
    nothing, except ``overrides``, which is refused."""
    del set_dagster_home, temp_dir, synchronous_run_coordinator, synchronous_run_launcher
    if overrides:
        raise NotSupportedError(
            "instance_for_test(overrides=...) configures Dagster's instance storage, which "
            "asset2airflow does not have (runs and events live in Airflow): drop it."
        )
    yield DagsterInstance.ephemeral()

@contextlib.contextmanager
def dynamic_partitions_store(store: DynamicPartitionsStore) -> Iterator[DynamicPartitionsStore]:
    """Make ``store`` the one dynamic definitions read from while a run executes."""
    token = _active_store.set(store)
    try:
        yield store
    finally:
        _active_store.reset(token)


def active_store() -> DynamicPartitionsStore | None:
    return _active_store.get()


@dataclass(frozen=True)
class AddDynamicPartitionsRequest:
    """Keys for a sensor to add (``SensorResult(dynamic_partitions_requests=[...])``)."""

    partitions_def_name: str
    partition_keys: tuple[str, ...]


@dataclass(frozen=True)
class DeleteDynamicPartitionsRequest:
    partitions_def_name: str
    partition_keys: tuple[str, ...]


class DynamicPartitionsDefinition(PartitionsDefinition):
    """Partitions whose keys are added at run time (Dagster's name and ``name=`` argument)."""

    def __init__(self, name: str) -> None:
        if not isinstance(name, str) or not _NAME.match(name):
            raise DefinitionError(
                f"DynamicPartitionsDefinition name {name!r} must be letters, digits, '_', '.' or "
                "'-' (it names where Airflow keeps the keys)."
            )
        self.name = name

    def get_partition_keys(
        self,
        current_time: object = None,
        dynamic_partitions_store: DynamicPartitionsStore | None = None,
    ) -> list[str]:
        if current_time is not None:
            raise DefinitionError(
                "DynamicPartitionsDefinition.get_partition_keys(current_time=...) has no meaning: "
                "dynamic keys do not depend on time; drop current_time."
            )
        return self._store(dynamic_partitions_store).get_dynamic_partitions(self.name)

    def _store(self, store: DynamicPartitionsStore | None) -> DynamicPartitionsStore:
        found = store or active_store()
        if found is None:
            raise PartitionError(
                f"DynamicPartitionsDefinition({self.name!r}) keeps its keys in a store, and none "
                "is active here: pass dynamic_partitions_store=... (e.g. a DagsterInstance), or "
                "call this inside a run (context.instance)."
            )
        return found

    def validate_key(self, partition_key: str, owner: str) -> None:
        check_dynamic_key(self.name, partition_key)
        if not self._store(None).has_dynamic_partition(self.name, partition_key):
            shown = self.get_partition_keys()
            listed = ", ".join(shown[:10]) + (", ..." if len(shown) > 10 else "")
            raise PartitionError(
                f"partition key {partition_key!r} is not a partition of {owner}: it was never "
                f"added to DynamicPartitionsDefinition({self.name!r}) (keys: {listed or 'none'}). "
                "Add it with context.instance.add_dynamic_partitions(...) or by running the "
                "partitioned asset for that key."
            )

    def build_add_request(self, partition_keys: Sequence[str]) -> AddDynamicPartitionsRequest:
        return AddDynamicPartitionsRequest(
            self.name, tuple(_checked_keys(self.name, partition_keys))
        )

    def build_delete_request(self, partition_keys: Sequence[str]) -> DeleteDynamicPartitionsRequest:
        return DeleteDynamicPartitionsRequest(self.name, tuple(partition_keys))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DynamicPartitionsDefinition) and other.name == self.name

    def __hash__(self) -> int:
        return hash(("dynamic", self.name))

    def __repr__(self) -> str:
        return f"DynamicPartitionsDefinition(name={self.name!r})"


def check_dynamic_key(name: str, partition_key: object) -> str:
    """Raise quoting the key when it cannot be a dynamic partition key of ``name``."""
    if not isinstance(partition_key, str) or not partition_key.strip():
        raise PartitionError(
            f"dynamic partition key {partition_key!r} of {name!r} must be a non-empty string"
        )
    bad = [s for s in _FORBIDDEN if s in partition_key]
    if bad or len(partition_key) > MAX_KEY_LENGTH:
        reason = f"contains {bad[0]!r}" if bad else f"is longer than {MAX_KEY_LENGTH} characters"
        raise PartitionError(
            f"dynamic partition key {partition_key!r} of {name!r} {reason}; keys may not contain "
            "'...', '|' or control characters and are at most 250 characters (Airflow's limit)."
        )
    return partition_key


def _checked_keys(name: str, partition_keys: Sequence[str]) -> list[str]:
    if isinstance(partition_keys, str):
        raise PartitionError(
            f"add_dynamic_partitions({name!r}, {partition_keys!r}) takes a list of keys; "
            f"write [{partition_keys!r}]."
        )
    return [check_dynamic_key(name, key) for key in partition_keys]


def admit_run_key(definition: PartitionsDefinition, partition_key: str) -> bool:
    """A run for a new key of a dynamic definition adds the key (returns ``True`` then)."""
    if not isinstance(definition, DynamicPartitionsDefinition):
        return False
    check_dynamic_key(definition.name, partition_key)
    store = definition._store(None)
    if store.has_dynamic_partition(definition.name, partition_key):
        return False
    store.add_dynamic_partitions(definition.name, [partition_key])
    return True


def dynamic_names(definition: PartitionsDefinition | None) -> list[str]:
    """The names of the dynamic definitions in ``definition`` (itself or a dimension)."""
    if isinstance(definition, DynamicPartitionsDefinition):
        return [definition.name]
    dimensions = getattr(definition, "partitions_defs", None)
    if isinstance(dimensions, dict):
        return [n for d in dimensions.values() for n in dynamic_names(d)]
    return []
