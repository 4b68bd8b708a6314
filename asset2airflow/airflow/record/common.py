"""What every record shares: the version, the enums, the error a reader raises, and strict
field readers (a missing or mistyped field is an error naming it, never a silent default).

Version history (one number for the three record kinds, see ``docs/adr/0001-record.md``):

- 1: the shapes before the record existed (the ``asset_docs`` JSON, the step/fused XCom
  reports, the event ``extra`` without a version). Readers upgrade them, stating what version 1
  did not know (e.g. upstream keys: ``None``).
- 2: this module's dataclasses.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any, TypeVar

from asset2airflow.authoring.jobs import ExecutionMode
from asset2airflow.errors import Asset2AirflowError

VERSION = 2
OLDEST_VERSION = 1

T = TypeVar("T")


class RecordError(Asset2AirflowError):
    """A record that cannot be read: a newer version than this asset2airflow knows, or a
    field missing or of the wrong type. The message names the record and the field."""


class TaskKind(enum.Enum):
    """Which kind of task wrote a record: written into every record so no reader guesses it
    (from a task id, say). The DAG's ``ExecutionMode`` plus the tasks we only observe."""

    PER_ASSET = ExecutionMode.PER_ASSET.value
    FUSED = ExecutionMode.FUSED.value
    OBSERVED = "observed"
    """A task DAG published with ``asset2airflow.migrate.observe`` (not run by us)."""

    @classmethod
    def of(cls, mode: ExecutionMode) -> TaskKind:
        """The kind of the tasks a DAG compiled with ``mode`` runs."""
        return cls(mode.value)


class AssetStatus(enum.Enum):
    """What one try did to one asset."""

    MATERIALIZED = "materialized"
    FAILED = "failed"
    BLOCKED = "blocked"
    """Computed and stored, but a blocking check failed: no asset event."""
    SKIPPED = "skipped"
    NOT_SELECTED = "not_selected"


class TryOutcome(enum.Enum):
    """How a try ended (``INTERRUPTED``: saved while it ran, by the fused checkpoint)."""

    SUCCESS = "success"
    FAILED = "failed"
    INTERRUPTED = "interrupted"


def check_version(data: Mapping[str, Any], what: str) -> int:
    """The record's version; ``RecordError`` for a version this code cannot read."""
    version = data.get("version", OLDEST_VERSION)
    if not isinstance(version, int) or not OLDEST_VERSION <= version <= VERSION:
        raise RecordError(
            f"{what} has record version {version!r}; this asset2airflow reads versions "
            f"{OLDEST_VERSION} to {VERSION}. Upgrade asset2airflow where the plugin/CLI runs "
            "to the version that wrote it."
        )
    return version


def field_of(data: Mapping[str, Any], name: str, kind: type[T] | tuple[type, ...], what: str) -> T:
    """``data[name]``, required and of type ``kind`` (``None`` allowed only when in ``kind``)."""
    if name not in data:
        raise RecordError(f"{what}: field {name!r} is missing")
    value = data[name]
    if not isinstance(value, kind):
        raise RecordError(f"{what}: field {name!r} is {type(value).__name__}, expected {kind}")
    return value  # type: ignore[return-value]


def text_or_none(data: Mapping[str, Any], name: str, what: str) -> str | None:
    value: str | None = field_of(data, name, (str, type(None)), what)
    return value


def mapping_of(data: Mapping[str, Any], name: str, what: str) -> dict[str, Any]:
    return dict(field_of(data, name, dict, what))


def enum_of(kind: type[enum.Enum], value: object, what: str) -> Any:
    try:
        return kind(value)
    except ValueError:
        allowed = [m.value for m in kind]
        raise RecordError(f"{what}: {value!r} is not one of {allowed}") from None
