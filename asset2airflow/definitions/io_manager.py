"""IO managers: where asset values are stored and loaded from.

An IO manager is a resource with two methods: ``handle_output`` stores what an asset returned and
``load_input`` loads it for a downstream asset. Data never passes between Airflow tasks in any
other way, so the IO manager decides where an asset lives (and its Airflow asset URI).
"""

from __future__ import annotations

import abc
import logging
from collections.abc import Mapping
from typing import Any

from asset2airflow.definitions.keys import AssetKey, CoercibleToAssetKey
from asset2airflow.definitions.metadata import MetadataValue, normalize_metadata
from asset2airflow.definitions.resources import ConfigurableResource
from asset2airflow.errors import PartitionError

_LOG = logging.getLogger("asset2airflow")


class _Resources:
    """Attribute access to resources by key (``context.resources.source``)."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        self._values = dict(values)

    def __getattr__(self, key: str) -> Any:
        try:
            return self._values[key]
        except KeyError:
            raise AttributeError(
                f"no resource {key!r} is available here; available: {sorted(self._values)}. "
                "Declare it with required_resource_keys or a resource-annotated parameter."
            ) from None

    def __contains__(self, key: str) -> bool:
        return key in self._values

    def original_dict(self) -> dict[str, Any]:
        return dict(self._values)


class OutputContext:
    """What ``handle_output`` knows about the value it stores."""

    def __init__(
        self,
        *,
        asset_key: AssetKey | None,
        name: str = "result",
        partition_key: str | None = None,
        definition_metadata: Mapping[str, MetadataValue] | None = None,
        resources: Mapping[str, Any] | None = None,
        log: logging.Logger | None = None,
        step_key: str | None = None,
    ) -> None:
        self._asset_key = asset_key
        self.name = name
        self._partition_key = partition_key
        self.definition_metadata: dict[str, MetadataValue] = dict(definition_metadata or {})
        self.resources = _Resources(resources or {})
        self.log = log or _LOG
        self.step_key = step_key or (asset_key.to_python_identifier() if asset_key else name)
        self.output_metadata: dict[str, MetadataValue] = {}

    @property
    def has_asset_key(self) -> bool:
        return self._asset_key is not None

    @property
    def asset_key(self) -> AssetKey:
        if self._asset_key is None:
            raise ValueError(f"output {self.name!r} is not an asset output and has no asset key")
        return self._asset_key

    @property
    def has_partition_key(self) -> bool:
        return self._partition_key is not None

    @property
    def partition_key(self) -> str:
        if self._partition_key is None:
            raise PartitionError(
                f"output {self.step_key!r} is not partitioned in this run; check "
                "context.has_partition_key first."
            )
        return self._partition_key

    def add_output_metadata(self, metadata: Mapping[str, Any]) -> None:
        """Metadata the IO manager learned while storing (path, row count...)."""
        key = self._asset_key  # the user-facing name, not the step's Python identifier
        owner = f"asset {key.to_user_string()!r}" if key else f"output {self.name!r}"
        self.output_metadata.update(normalize_metadata(metadata, f"{owner} (IO manager)"))


class InputContext:
    """What ``load_input`` knows about the value it loads."""

    def __init__(
        self,
        *,
        asset_key: AssetKey | None,
        name: str = "input",
        upstream_output: OutputContext | None = None,
        partition_key: str | None = None,
        definition_metadata: Mapping[str, MetadataValue] | None = None,
        resources: Mapping[str, Any] | None = None,
        log: logging.Logger | None = None,
    ) -> None:
        self._asset_key = asset_key
        self.name = name
        self.upstream_output = upstream_output
        self._partition_key = partition_key
        self.definition_metadata: dict[str, MetadataValue] = dict(definition_metadata or {})
        self.resources = _Resources(resources or {})
        self.log = log or _LOG

    @property
    def has_asset_key(self) -> bool:
        return self._asset_key is not None

    @property
    def asset_key(self) -> AssetKey:
        if self._asset_key is None:
            raise ValueError(f"input {self.name!r} does not load an asset and has no asset key")
        return self._asset_key

    @property
    def has_partition_key(self) -> bool:
        return self._partition_key is not None

    @property
    def partition_key(self) -> str:
        if self._partition_key is None:
            raise PartitionError(
                f"input {self.name!r} is not partitioned in this run; check "
                "context.has_partition_key first."
            )
        return self._partition_key


class IOManager(abc.ABC):
    """Stores and loads asset values. Subclass and implement both methods."""

    @abc.abstractmethod
    def handle_output(self, context: OutputContext, obj: Any) -> None:
        """Store ``obj``. Must be atomic: on failure the previous value stays readable."""

    @abc.abstractmethod
    def load_input(self, context: InputContext) -> Any:
        """Load the value stored for ``context.asset_key`` (and partition)."""

    def storage_uri(self, asset_key: AssetKey) -> str | None:
        """Where the asset lives, as a URI (used as the Airflow ``Asset`` uri). ``None``: unknown.

        Must not do I/O: it is called while Airflow parses DAG files.
        """
        return None


class ConfigurableIOManager(ConfigurableResource, IOManager):
    """An IO manager that is also a configurable resource (``FilesystemIOManager(...)``)."""


def build_output_context(
    asset_key: CoercibleToAssetKey | None = None,
    *,
    partition_key: str | None = None,
    definition_metadata: Mapping[str, Any] | None = None,
    resources: Mapping[str, Any] | None = None,
    name: str = "result",
) -> OutputContext:
    """An ``OutputContext`` for testing an IO manager directly."""
    return OutputContext(
        asset_key=AssetKey.from_coercible(asset_key) if asset_key is not None else None,
        name=name,
        partition_key=partition_key,
        definition_metadata=normalize_metadata(definition_metadata),
        resources=resources,
    )


def build_input_context(
    asset_key: CoercibleToAssetKey | None = None,
    *,
    partition_key: str | None = None,
    definition_metadata: Mapping[str, Any] | None = None,
    upstream_definition_metadata: Mapping[str, Any] | None = None,
    resources: Mapping[str, Any] | None = None,
    name: str = "input",
) -> InputContext:
    """An ``InputContext`` for testing an IO manager directly."""
    key = AssetKey.from_coercible(asset_key) if asset_key is not None else None
    upstream = OutputContext(
        asset_key=key,
        partition_key=partition_key,
        definition_metadata=normalize_metadata(upstream_definition_metadata),
        resources=resources,
    )
    return InputContext(
        asset_key=key,
        name=name,
        upstream_output=upstream,
        partition_key=partition_key,
        definition_metadata=normalize_metadata(definition_metadata),
        resources=resources,
    )
