"""The static asset record: what a task publishes about its assets when the DAG is parsed, as
one JSON string in the operator's serialized field ``asset_docs``. The DAG processor stores it
with the serialized DAG, so the plugin reads it from Airflow's metadata DB and never imports
asset modules. ``upstream`` holds every upstream asset key from the ``AssetGraph`` (same DAG,
another DAG or file, inside a fused task, behind a graph-backed asset): lineage is drawn from it,
not from task inlets. Serialized with sorted keys so a DAG serializes identically on every parse.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from asset2airflow.airflow.record.common import (
    VERSION,
    RecordError,
    TaskKind,
    check_version,
    enum_of,
    field_of,
    text_or_none,
)
from asset2airflow.airflow.record.partitions import partitions_to_json
from asset2airflow.asset_graph.graph import AssetGraph
from asset2airflow.authoring.keys import AssetKey

FIELD = "asset_docs"
"""The operator attribute (and serialized field) holding a ``TaskRecord``'s JSON."""
RECORD_EXTRA = "asset2airflow_record"
"""Key of a ``TaskRecord``'s JSON in the ``extra`` of an observed task's ``Asset`` (a task DAG
we do not build has no field of ours to carry it)."""


@dataclass(frozen=True)
class CheckDefinition:
    """A check as declared (its severity is decided by each result: see ``CheckRecord``)."""

    name: str
    blocking: bool
    description: str | None

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "blocking": self.blocking, "description": self.description}

    @classmethod
    def from_json(cls, data: Mapping[str, Any], what: str) -> CheckDefinition:
        return cls(
            name=field_of(data, "name", str, what),
            blocking=field_of(data, "blocking", bool, what),
            description=text_or_none(data, "description", what),
        )


@dataclass(frozen=True)
class AssetRecord:
    """One asset as published at parse time. ``upstream`` is ``None`` only in a version-1
    record, which did not list upstream keys (the reader then falls back to Airflow's refs).
    ``partitions`` is ``partitions_to_json`` of its partitions definition."""

    key: str
    group: str | None
    description: str | None
    owners: tuple[str, ...]
    kinds: tuple[str, ...]
    tags: Mapping[str, str]
    code_version: str | None
    uri: str | None
    partitions: Mapping[str, Any] | None
    checks: tuple[CheckDefinition, ...]
    upstream: tuple[str, ...] | None

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "group": self.group,
            "description": self.description,
            "owners": list(self.owners),
            "kinds": list(self.kinds),
            "tags": dict(self.tags),
            "code_version": self.code_version,
            "uri": self.uri,
            "partitions": dict(self.partitions) if self.partitions is not None else None,
            "checks": [c.to_json() for c in self.checks],
            "upstream": list(self.upstream) if self.upstream is not None else None,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any], version: int) -> AssetRecord:
        what = f"asset record {data.get('key')!r}"
        if version == 1:  # what version 1 did not record
            data = {"group": None, "uri": None, "upstream": None, **data}
        upstream: list[Any] | None = field_of(data, "upstream", (list, type(None)), what)
        return cls(
            key=field_of(data, "key", str, what),
            group=text_or_none(data, "group", what),
            description=text_or_none(data, "description", what),
            owners=tuple(str(o) for o in field_of(data, "owners", list, what)),
            kinds=tuple(str(k) for k in field_of(data, "kinds", list, what)),
            tags={str(k): str(v) for k, v in field_of(data, "tags", dict, what).items()},
            code_version=text_or_none(data, "code_version", what),
            uri=text_or_none(data, "uri", what),
            partitions=field_of(data, "partitions", (dict, type(None)), what),
            checks=tuple(
                CheckDefinition.from_json(c, f"{what}, check {i}")
                for i, c in enumerate(field_of(data, "checks", list, what))
            ),
            upstream=tuple(str(k) for k in upstream) if upstream is not None else None,
        )


@dataclass(frozen=True)
class TaskRecord:
    """Everything one task publishes at parse time: how its DAG runs and its assets' records.
    ``execution`` is ``None`` only when read from a version-1 record."""

    execution: TaskKind | None
    assets: tuple[AssetRecord, ...]
    version: int = VERSION

    def to_json(self) -> str:
        data = {
            "version": self.version,
            "execution": self.execution.value if self.execution is not None else None,
            "assets": [a.to_json() for a in self.assets],
        }
        return json.dumps(data, sort_keys=True)

    @classmethod
    def from_json(cls, value: str | Mapping[str, Any], what: str = "asset_docs") -> TaskRecord:
        """Reads versions 1 and 2; ``RecordError`` naming ``what`` for anything else."""
        try:
            data = json.loads(value) if isinstance(value, str) else value
        except ValueError as exc:
            raise RecordError(f"{what} is not JSON: {exc}") from exc
        if not isinstance(data, Mapping):
            raise RecordError(f"{what} is {type(data).__name__}, expected a JSON object")
        version = check_version(data, what)
        execution = data.get("execution") if version > 1 else None
        return cls(
            execution=enum_of(TaskKind, execution, what) if execution is not None else None,
            assets=tuple(
                AssetRecord.from_json(a, version) for a in field_of(data, "assets", list, what)
            ),
            version=VERSION,
        )


def asset_record(graph: AssetGraph, key: AssetKey, uri: str | None) -> AssetRecord:
    """The record of ``key`` in ``graph``; ``uri``: the Airflow ``Asset`` URI it is published
    under. Upstream keys come from the graph, sorted (stable serialization)."""
    spec = graph.spec(key)
    checks = sorted(graph.checks_for(key), key=lambda c: c.spec.name)
    return AssetRecord(
        key=key.to_user_string(),
        group=spec.group_name,
        description=spec.description,
        owners=tuple(spec.owners),
        kinds=tuple(sorted(spec.kinds)),
        tags={k: spec.tags[k] for k in sorted(spec.tags)},
        code_version=spec.code_version,
        uri=uri,
        partitions=partitions_to_json(spec.partitions_def),
        checks=tuple(
            CheckDefinition(c.spec.name, c.spec.blocking, c.spec.description) for c in checks
        ),
        upstream=tuple(sorted(k.to_user_string() for k in graph.upstream.get(key, ()))),
    )


def task_record(
    graph: AssetGraph,
    keys: Iterable[str],
    execution: TaskKind,
    uris: Mapping[str, str | None],
) -> TaskRecord:
    """The record of the task materializing ``keys`` (user strings)."""
    return TaskRecord(
        execution,
        tuple(asset_record(graph, AssetKey.from_user_string(k), uris.get(k)) for k in keys),
    )


def read_task_record(value: object, what: str) -> TaskRecord | None:
    """The record in a task's serialized ``asset_docs`` field; ``None`` when the task has none
    (not one of ours). A record this code cannot read raises ``RecordError``."""
    if value is None or value == "":
        return None
    if not isinstance(value, (str, Mapping)):
        raise RecordError(f"{what} is {type(value).__name__}, expected a JSON string")
    return TaskRecord.from_json(value, what)


def observed_record(key: str, uri: str, upstream: Iterable[str]) -> TaskRecord:
    """The record of an asset an observed task DAG produces (``migrate.observe``): only its
    key, URI and upstream keys are known."""
    asset = AssetRecord(
        key=key,
        group=None,
        description=None,
        owners=(),
        kinds=(),
        tags={},
        code_version=None,
        uri=uri,
        partitions=None,
        checks=(),
        upstream=tuple(sorted(set(upstream))),
    )
    return TaskRecord(TaskKind.OBSERVED, (asset,))
