"""Dynamic partition keys kept in Airflow's metadata DB, as asset events.

Each ``DynamicPartitionsDefinition`` has a registry asset (``asset2airflow-partitions://NAME``).
Tasks that may read or add keys list it as an inlet (so Airflow registers it and the task can
read its events) and have one ``AssetAlias`` outlet through which they emit an event on the
registry carrying the keys they added or deleted. Events are append-only, so two tasks adding
keys at once both land; replaying them in order gives the keys. Changes a task makes are
emitted when it succeeds: a failed task adds nothing.

No Airflow imports: the operator hands in its task context.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from asset2airflow.authoring.dynamic_partitions import (
    DynamicPartitionsStore,
    _checked_keys,
)
from asset2airflow.errors import PartitionError

REGISTRY_SCHEME = "asset2airflow-partitions"
REGISTRY_ALIAS = "asset2airflow-dynamic-partitions"
REGISTRY_GROUP = "asset2airflow"
EXTRA_KEY = "asset2airflow_dynamic_partitions"


def registry_name(definition_name: str) -> str:
    return f"{REGISTRY_SCHEME}/{definition_name}"


def registry_uri(definition_name: str) -> str:
    return f"{REGISTRY_SCHEME}://{definition_name}"


def definition_name_of(uri: str) -> str | None:
    """The definition a registry asset URI stands for (``None``: not a registry)."""
    prefix = f"{REGISTRY_SCHEME}://"
    # Airflow normalizes the URI with a trailing slash.
    return uri[len(prefix) :].rstrip("/") if uri.startswith(prefix) else None


def replay(extras: Sequence[Mapping[str, Any]]) -> list[str]:
    """The keys after applying registry event extras in order."""
    keys: dict[str, None] = {}
    for extra in extras:
        change = extra.get(EXTRA_KEY) or {}
        for key in change.get("added", ()):
            keys[key] = None
        for key in change.get("deleted", ()):
            keys.pop(key, None)
    return list(keys)


class AirflowDynamicPartitions(DynamicPartitionsStore):
    """The store of one task run: reads the registry events through ``inlet_events`` and
    collects its own changes for ``emit``."""

    def __init__(self, inlet_events: Any, registries: Mapping[str, Any]) -> None:
        self._inlet_events = inlet_events
        self._registries = dict(registries)  # definition name -> Airflow Asset
        self._loaded: dict[str, list[str]] = {}
        self._added: dict[str, list[str]] = {}
        self._deleted: dict[str, list[str]] = {}

    def _registry(self, name: str) -> Any:
        registry = self._registries.get(name)
        if registry is None:
            known = ", ".join(sorted(self._registries)) or "none"
            raise PartitionError(
                f"no DynamicPartitionsDefinition named {name!r} is used by the assets of this "
                f"Definitions (known: {known}); check the name."
            )
        return registry

    def _stored(self, name: str) -> list[str]:
        if name not in self._loaded:
            events = self._inlet_events[self._registry(name)]
            self._loaded[name] = replay([dict(getattr(e, "extra", None) or {}) for e in events])
        return self._loaded[name]

    def get_dynamic_partitions(self, partitions_def_name: str) -> list[str]:
        deleted = set(self._deleted.get(partitions_def_name, ()))
        keys = self._stored(partitions_def_name) + self._added.get(partitions_def_name, [])
        return [k for k in dict.fromkeys(keys) if k not in deleted]

    def add_dynamic_partitions(
        self, partitions_def_name: str, partition_keys: Sequence[str]
    ) -> None:
        present = set(self.get_dynamic_partitions(partitions_def_name))
        new = [k for k in _checked_keys(partitions_def_name, partition_keys) if k not in present]
        self._added.setdefault(partitions_def_name, []).extend(dict.fromkeys(new))
        deleted = self._deleted.get(partitions_def_name, [])
        self._deleted[partitions_def_name] = [k for k in deleted if k not in new]

    def delete_dynamic_partition(self, partitions_def_name: str, partition_key: str) -> None:
        self._registry(partitions_def_name)
        added = self._added.get(partitions_def_name, [])
        self._added[partitions_def_name] = [k for k in added if k != partition_key]
        self._deleted.setdefault(partitions_def_name, []).append(partition_key)

    def changes(self) -> list[tuple[Any, dict[str, Any]]]:
        """(registry asset, event extra) for each definition this task changed."""
        out = []
        for name in sorted(set(self._added) | set(self._deleted)):
            added, deleted = self._added.get(name, []), self._deleted.get(name, [])
            if added or deleted:
                change = {"added": added, "deleted": deleted}
                out.append((self._registry(name), {EXTRA_KEY: change}))
        return out
