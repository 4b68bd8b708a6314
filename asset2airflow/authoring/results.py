"""What user code returns (``Output``, ``MaterializeResult``, ``AssetCheckResult``) and what a run
records (``AssetMaterialization``, ``AssetCheckEvaluation``)."""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from asset2airflow.authoring.keys import AssetKey, CoercibleToAssetKey
from asset2airflow.authoring.metadata import MetadataValue, normalize_metadata


class AssetCheckSeverity(enum.Enum):
    """How bad a failed check is. Only a failed ``ERROR`` check of a blocking spec blocks."""

    WARN = "WARN"
    ERROR = "ERROR"


_NO_VALUE: Any = object()


T = TypeVar("T")


class Output(Generic[T]):
    """A returned value together with output metadata (``Output(df, metadata={"rows": 3})``).

    Generic like Dagster's, so ``def orders() -> Output[pd.DataFrame]`` type-checks."""

    def __init__(
        self,
        value: T,
        output_name: str = "result",
        metadata: Mapping[str, Any] | None = None,
    ) -> None:
        self.value = value
        self.output_name = output_name
        self.metadata = normalize_metadata(metadata)


class MaterializeResult(Generic[T]):
    """Reports a materialization without (or with) a value for the IO manager.

    With ``value`` left out, nothing is handed to the IO manager: the asset stored its data
    itself, as in Dagster. ``asset_key`` is needed only in multi-assets.
    """

    def __init__(
        self,
        *,
        asset_key: CoercibleToAssetKey | None = None,
        metadata: Mapping[str, Any] | None = None,
        check_results: Sequence[AssetCheckResult] | None = None,
        data_version: str | None = None,
        value: T = _NO_VALUE,
    ) -> None:
        self.asset_key = AssetKey.from_coercible(asset_key) if asset_key is not None else None
        self.metadata = normalize_metadata(metadata)
        self.check_results = list(check_results or [])
        self.data_version = data_version
        self.value = value

    @property
    def has_value(self) -> bool:
        return self.value is not _NO_VALUE


class AssetCheckResult:
    """The outcome of one check. ``asset_key``/``check_name`` may be left out when unambiguous."""

    def __init__(
        self,
        *,
        passed: bool,
        asset_key: CoercibleToAssetKey | None = None,
        check_name: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        severity: AssetCheckSeverity = AssetCheckSeverity.ERROR,
        description: str | None = None,
    ) -> None:
        if not isinstance(passed, bool):
            passed = bool(passed)
        self.passed = passed
        self.asset_key = AssetKey.from_coercible(asset_key) if asset_key is not None else None
        self.check_name = check_name
        self.metadata = normalize_metadata(metadata)
        self.severity = severity
        self.description = description


@dataclass(frozen=True)
class AssetMaterialization:
    """Recorded when an asset (or one partition of it) was stored."""

    asset_key: AssetKey
    metadata: Mapping[str, MetadataValue] = field(default_factory=dict)
    partition: str | None = None
    code_version: str | None = None
    """The asset's ``code_version`` when it was materialized."""
    data_version: str | None = None
    """What ``MaterializeResult(data_version=...)`` reported."""


@dataclass(frozen=True)
class AssetCheckEvaluation:
    """Recorded when a check ran. ``blocking`` tells whether a failure stops downstream assets."""

    asset_key: AssetKey
    check_name: str
    passed: bool
    severity: AssetCheckSeverity
    metadata: Mapping[str, MetadataValue] = field(default_factory=dict)
    description: str | None = None
    blocking: bool = False

    @property
    def blocks_downstream(self) -> bool:
        return self.blocking and not self.passed and self.severity is AssetCheckSeverity.ERROR
