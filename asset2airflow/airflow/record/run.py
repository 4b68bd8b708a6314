"""The run record, written once per task try (XCom key ``asset2airflow``) by per-asset and fused
tasks alike, and the asset event ``extra`` of each asset it materialized (``EventExtra``).

Per asset: its ``AssetStatus``, the partition, metadata (``metadata_to_json`` values:
``{"type", "value"}``), check evaluations (each with its partition), try number and error. The
``execution`` mode is written here so no reader guesses it from a task id.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from asset2airflow.airflow.record.common import (
    VERSION,
    AssetStatus,
    RecordError,
    TaskKind,
    TryOutcome,
    check_version,
    enum_of,
    field_of,
    mapping_of,
    text_or_none,
)
from asset2airflow.authoring.results import AssetCheckSeverity

XCOM_KEY = "asset2airflow"
"""XCom key of the run record."""


@dataclass(frozen=True)
class CheckRecord:
    """One check evaluation, for the partition the run materialized (``None``: unpartitioned)."""

    asset: str
    name: str
    passed: bool
    severity: AssetCheckSeverity
    blocking: bool
    description: str | None
    metadata: Mapping[str, Any]
    partition: str | None

    @property
    def state(self) -> str:
        """``passed``, ``failed`` (severity ERROR) or ``warning`` (severity WARN)."""
        if self.passed:
            return "passed"
        return "warning" if self.severity is AssetCheckSeverity.WARN else "failed"

    def to_json(self) -> dict[str, Any]:
        return {
            "asset": self.asset,
            "name": self.name,
            "passed": self.passed,
            "severity": self.severity.value,
            "blocking": self.blocking,
            "description": self.description,
            "metadata": dict(self.metadata),
            "partition": self.partition,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any], version: int, partition: str | None) -> CheckRecord:
        what = f"check record {data.get('asset')!r}:{data.get('name')!r}"
        if version == 1:  # version 1 kept the partition beside the checks, not in them
            data = {"partition": partition, **data}
        return cls(
            asset=field_of(data, "asset", str, what),
            name=field_of(data, "name", str, what),
            passed=field_of(data, "passed", bool, what),
            severity=enum_of(AssetCheckSeverity, field_of(data, "severity", str, what), what),
            blocking=field_of(data, "blocking", bool, what),
            description=text_or_none(data, "description", what),
            metadata=mapping_of(data, "metadata", what),
            partition=text_or_none(data, "partition", what),
        )


@dataclass(frozen=True)
class EventExtra:
    """The asset event ``extra`` of one materialization."""

    partition: str | None
    metadata: Mapping[str, Any]
    checks: tuple[CheckRecord, ...]
    code_version: str | None = None
    data_version: str | None = None
    version: int = VERSION

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "partition": self.partition,
            "metadata": dict(self.metadata),
            "checks": [c.to_json() for c in self.checks],
            "code_version": self.code_version,
            "data_version": self.data_version,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any], what: str = "asset event extra") -> EventExtra:
        version = check_version(data, what)
        if version == 1:  # the versions were written only when set
            data = {"code_version": None, "data_version": None, **data}
        partition = text_or_none(data, "partition", what)
        return cls(
            partition=partition,
            metadata=mapping_of(data, "metadata", what),
            checks=tuple(
                CheckRecord.from_json(c, version, partition)
                for c in field_of(data, "checks", list, what)
            ),
            code_version=text_or_none(data, "code_version", what),
            data_version=text_or_none(data, "data_version", what),
        )

    @classmethod
    def read(cls, extra: object) -> EventExtra | None:
        """The extra of an event asset2airflow emitted; ``None`` for any other event's extra
        (emitted through the REST API, by another producer, a partitions registry event)."""
        if not isinstance(extra, Mapping) or not isinstance(extra.get("metadata"), dict):
            return None
        if not isinstance(extra.get("checks"), list):
            return None
        return cls.from_json(extra)


@dataclass(frozen=True)
class AssetRun:
    """What one try did to one asset."""

    key: str
    status: AssetStatus
    partition: str | None
    try_number: int
    error: str | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)
    checks: tuple[CheckRecord, ...] = ()
    code_version: str | None = None
    data_version: str | None = None
    duration_seconds: float = 0.0

    def event_extra(self) -> EventExtra:
        return EventExtra(
            self.partition, self.metadata, self.checks, self.code_version, self.data_version
        )

    @classmethod
    def materialized(cls, key: str, extra: EventExtra, try_number: int, **more: Any) -> AssetRun:
        return cls(
            key,
            AssetStatus.MATERIALIZED,
            extra.partition,
            try_number,
            metadata=extra.metadata,
            checks=extra.checks,
            code_version=extra.code_version,
            data_version=extra.data_version,
            **more,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status.value,
            "partition": self.partition,
            "try_number": self.try_number,
            "error": self.error,
            "metadata": dict(self.metadata),
            "checks": [c.to_json() for c in self.checks],
            "code_version": self.code_version,
            "data_version": self.data_version,
            "duration_seconds": self.duration_seconds,
        }

    @classmethod
    def from_json(cls, key: str, data: Mapping[str, Any]) -> AssetRun:
        what = f"run record of asset {key!r}"
        partition = text_or_none(data, "partition", what)
        return cls(
            key=key,
            status=enum_of(AssetStatus, field_of(data, "status", str, what), what),
            partition=partition,
            try_number=field_of(data, "try_number", int, what),
            error=text_or_none(data, "error", what),
            metadata=mapping_of(data, "metadata", what),
            checks=tuple(
                CheckRecord.from_json(c, VERSION, partition)
                for c in field_of(data, "checks", list, what)
            ),
            code_version=text_or_none(data, "code_version", what),
            data_version=text_or_none(data, "data_version", what),
            duration_seconds=float(field_of(data, "duration_seconds", (int, float), what)),
        )


@dataclass(frozen=True)
class RunRecord:
    """One try of one task: every asset it is responsible for, with its status."""

    execution: TaskKind
    task_id: str
    try_number: int
    partition: str | None
    outcome: TryOutcome
    assets: tuple[AssetRun, ...]
    error: str | None = None
    duration_seconds: float = 0.0
    version: int = VERSION

    @property
    def checks(self) -> Iterator[CheckRecord]:
        return (c for a in self.assets for c in a.checks)

    def asset(self, key: str) -> AssetRun | None:
        return next((a for a in self.assets if a.key == key), None)

    def with_assets(self, assets: tuple[AssetRun, ...]) -> RunRecord:
        return replace(self, assets=assets)

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "execution": self.execution.value,
            "task_id": self.task_id,
            "try_number": self.try_number,
            "partition": self.partition,
            "outcome": self.outcome.value,
            "error": self.error,
            "duration_seconds": self.duration_seconds,
            "assets": {a.key: a.to_json() for a in sorted(self.assets, key=lambda a: a.key)},
        }

    @classmethod
    def from_json(cls, data: object, what: str = "run record") -> RunRecord:
        """Reads versions 1 (the step/fused XCom reports) and 2; ``RecordError`` otherwise."""
        if not isinstance(data, Mapping):
            raise RecordError(f"{what} is {type(data).__name__}, expected a JSON object")
        if check_version(data, what) == 1:
            return _from_version_1(data, what)
        return cls(
            execution=enum_of(TaskKind, field_of(data, "execution", str, what), what),
            task_id=field_of(data, "task_id", str, what),
            try_number=field_of(data, "try_number", int, what),
            partition=text_or_none(data, "partition", what),
            outcome=enum_of(TryOutcome, field_of(data, "outcome", str, what), what),
            assets=tuple(
                AssetRun.from_json(str(k), v) for k, v in mapping_of(data, "assets", what).items()
            ),
            error=text_or_none(data, "error", what),
            duration_seconds=float(field_of(data, "duration_seconds", (int, float), what)),
        )


def _from_version_1(data: Mapping[str, Any], what: str) -> RunRecord:
    """Version 1: ``{"step", "materializations": {key: extra}, "checks", "error",
    "duration_seconds"}``, a fused report adding ``"execution": "fused"``, ``try_number`` and
    ``assets`` (key -> status, try, error). It had no run partition: taken from the extras."""
    extras = {
        str(k): EventExtra.from_json(v, f"{what}, asset {k!r}")
        for k, v in mapping_of(data, "materializations", what).items()
    }
    partition = next((e.partition for e in extras.values() if e.partition), None)
    checks = [CheckRecord.from_json(c, 1, partition) for c in field_of(data, "checks", list, what)]
    fused = data.get("execution") == TaskKind.FUSED.value
    try_number = int(data.get("try_number") or 0) if fused else 0
    statuses: dict[str, Any] = mapping_of(data, "assets", what) if fused else {}
    keys = sorted(set(extras) | set(statuses) | {c.asset for c in checks})
    assets = []
    for key in keys:
        entry = statuses.get(key) or {}
        own = tuple(c for c in checks if c.asset == key)
        if key in extras:
            assets.append(
                AssetRun.materialized(key, extras[key], int(entry.get("try_number") or 0))
            )
            continue
        if "status" in entry:
            status = enum_of(AssetStatus, entry["status"], what)
        elif any(c.blocking and not c.passed for c in own):
            status = AssetStatus.BLOCKED
        else:
            status = AssetStatus.FAILED
        error = entry.get("error") if fused else data.get("error")
        assets.append(
            AssetRun(
                key,
                status,
                partition,
                int(entry.get("try_number") or try_number),
                error=str(error) if error else None,
                checks=own,
            )
        )
    error = data.get("error")
    return RunRecord(
        execution=TaskKind.FUSED if fused else TaskKind.PER_ASSET,
        task_id=str(data.get("step") or ""),
        try_number=try_number,
        partition=partition,
        outcome=TryOutcome.FAILED if error else TryOutcome.SUCCESS,
        assets=tuple(assets),
        error=str(error) if error else None,
        duration_seconds=float(data.get("duration_seconds") or 0.0),
    )
