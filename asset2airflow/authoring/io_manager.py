"""IO managers: where asset values are stored and loaded from.

An IO manager is a resource with two methods: ``handle_output`` stores what an asset returned and
``load_input`` loads it for a downstream asset. Data never passes between Airflow tasks in any
other way, so the IO manager decides where an asset lives (and its Airflow asset URI).
"""

from __future__ import annotations

import abc
import logging
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, overload

from asset2airflow.authoring.keys import AssetKey, CoercibleToAssetKey
from asset2airflow.authoring.metadata import MetadataValue, normalize_metadata
from asset2airflow.authoring.partition_scope import AssetPartitions
from asset2airflow.authoring.partitions import (
    PartitionKeyRange,
    PartitionsDefinition,
    StaticPartitionsDefinition,
)
from asset2airflow.authoring.resource_definitions import ResourceDefinition
from asset2airflow.authoring.resources import ConfigurableResource, Resources
from asset2airflow.authoring.time_partitions import TimeWindow
from asset2airflow.errors import DefinitionError, PartitionError

if TYPE_CHECKING:
    from asset2airflow.authoring.resources import InitResourceContext

_LOG = logging.getLogger("asset2airflow")


class _AssetPartitionsAccess:
    """Dagster's ``asset_partition_*`` questions, answered from the asset's ``AssetPartitions``
    (what an output writes, what an input reads after the partition mapping)."""

    _asset_partitions: AssetPartitions | None
    name: str

    @property
    def has_asset_partitions(self) -> bool:
        return self._asset_partitions is not None

    def _partitions(self) -> AssetPartitions:
        if self._asset_partitions is None:
            raise PartitionError(
                f"{type(self).__name__} {self.name!r} has no asset partitions (its asset is not "
                "partitioned in this run); check context.has_asset_partitions first."
            )
        return self._asset_partitions

    @property
    def asset_partitions_def(self) -> PartitionsDefinition:
        return self._partitions().partitions_def

    @property
    def asset_partition_key(self) -> str:
        return self._partitions().key

    @property
    def asset_partition_keys(self) -> list[str]:
        return list(self._partitions().keys)

    @property
    def asset_partition_key_range(self) -> PartitionKeyRange:
        return self._partitions().key_range

    @property
    def asset_partitions_time_window(self) -> TimeWindow:
        return self._partitions().time_window


class OutputContext(_AssetPartitionsAccess):
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
        asset_partitions: AssetPartitions | None = None,
        run_id: str | None = None,
        mapping_key: str | None = None,
    ) -> None:
        self._asset_key = asset_key
        self._asset_partitions = asset_partitions
        self.name = name
        self._partition_key = partition_key
        self.definition_metadata: dict[str, MetadataValue] = dict(definition_metadata or {})
        self.resources = Resources(resources or {})
        self.log = log or _LOG
        self.step_key = step_key or (asset_key.to_python_identifier() if asset_key else name)
        self.output_metadata: dict[str, MetadataValue] = {}
        self.run_id = run_id
        self.mapping_key = mapping_key
        """The item of a dynamic output (or of a mapped op's output) this value is."""

    def get_identifier(self) -> list[str]:
        """Where an op output lives, as Dagster names it: ``[run_id, step_key, name]`` plus the
        mapping key for one item of a dynamic or mapped output."""
        if self.run_id is None:
            raise ValueError(f"output {self.name!r} of {self.step_key!r} has no run id")
        identifier = [self.run_id, self.step_key, self.name]
        return [*identifier, self.mapping_key] if self.mapping_key is not None else identifier

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


class InputContext(_AssetPartitionsAccess):
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
        asset_partitions: AssetPartitions | None = None,
    ) -> None:
        self._asset_key = asset_key
        self._asset_partitions = asset_partitions
        self.name = name
        self.upstream_output = upstream_output
        self._partition_key = partition_key
        self.definition_metadata: dict[str, MetadataValue] = dict(definition_metadata or {})
        self.resources = Resources(resources or {})
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


IOManagerFunction = Callable[["InitResourceContext"], IOManager]


class IOManagerDefinition(ResourceDefinition):
    """An IO manager built once per run (per Airflow task) by a function, Dagster's
    ``@io_manager``; ``hardcoded_io_manager`` wraps a ready instance. A ``ResourceDefinition``
    whose function returns an ``IOManager`` (config and required resources work the same).
    """

    def __init__(
        self,
        resource_fn: IOManagerFunction,
        config_schema: Mapping[str, Any] | None = None,
        required_resource_keys: Iterable[str] | None = None,
        description: str | None = None,
        hardcoded: IOManager | None = None,
    ) -> None:
        super().__init__(
            resource_fn,
            config_schema=config_schema,
            description=description,
            required_resource_keys=required_resource_keys,
        )
        self._hardcoded = hardcoded

    @staticmethod
    def hardcoded_io_manager(
        value: IOManager, description: str | None = None
    ) -> IOManagerDefinition:
        if not isinstance(value, IOManager):
            raise DefinitionError(
                f"IOManagerDefinition.hardcoded_io_manager got {value!r}; pass an IOManager "
                "instance."
            )
        return IOManagerDefinition(lambda _: value, description=description, hardcoded=value)

    def storage_uri(self, asset_key: AssetKey) -> str | None:
        """The hardcoded instance's URI; a function-built manager is unknown at parse time."""
        return self._hardcoded.storage_uri(asset_key) if self._hardcoded is not None else None



@overload
def io_manager(fn: IOManagerFunction) -> IOManagerDefinition: ...


@overload
def io_manager(
    fn: None = None,
    *,
    config_schema: Mapping[str, Any] | None = ...,
    required_resource_keys: Iterable[str] | None = ...,
    description: str | None = ...,
) -> Callable[[IOManagerFunction], IOManagerDefinition]: ...


def io_manager(
    fn: IOManagerFunction | None = None,
    *,
    config_schema: Mapping[str, Any] | None = None,
    required_resource_keys: Iterable[str] | None = None,
    description: str | None = None,
) -> IOManagerDefinition | Callable[[IOManagerFunction], IOManagerDefinition]:
    """Dagster's ``@io_manager``: a function of ``init_context`` returning an IO manager."""

    def decorate(function: IOManagerFunction) -> IOManagerDefinition:
        if not callable(function):
            raise DefinitionError(f"@io_manager decorates a function, not {function!r}")
        return IOManagerDefinition(
            function,
            config_schema=config_schema,
            required_resource_keys=required_resource_keys,
            description=description or function.__doc__,
        )

    return decorate(fn) if fn is not None else decorate


def _test_partitions(
    key: AssetKey | None,
    partition_key: str | None,
    key_range: PartitionKeyRange | None,
    partitions_def: PartitionsDefinition | None,
) -> AssetPartitions | None:
    """The asset partitions a test context stands for: one key, or a range of ``partitions_def``."""
    owner = f"asset {key.to_user_string()!r}" if key is not None else "the test context"
    if key_range is not None:
        if partitions_def is None:
            raise PartitionError("asset_partition_key_range needs asset_partitions_def")
        keys = partitions_def.get_partition_keys_in_range(key_range)
        return AssetPartitions(partitions_def, tuple(keys), owner)
    if partition_key is None:
        return None
    if partitions_def is not None:
        partitions_def.validate_key(partition_key, owner)
    definition = partitions_def or StaticPartitionsDefinition([partition_key])
    return AssetPartitions(definition, (partition_key,), owner)


def build_output_context(
    asset_key: CoercibleToAssetKey | None = None,
    *,
    partition_key: str | None = None,
    asset_partitions_def: PartitionsDefinition | None = None,
    definition_metadata: Mapping[str, Any] | None = None,
    resources: Mapping[str, Any] | None = None,
    name: str = "result",
) -> OutputContext:
    """An ``OutputContext`` for testing an IO manager directly."""
    key = AssetKey.from_coercible(asset_key) if asset_key is not None else None
    return OutputContext(
        asset_key=key,
        name=name,
        partition_key=partition_key,
        definition_metadata=normalize_metadata(definition_metadata),
        resources=resources,
        asset_partitions=_test_partitions(key, partition_key, None, asset_partitions_def),
    )


def build_input_context(
    asset_key: CoercibleToAssetKey | None = None,
    *,
    partition_key: str | None = None,
    asset_partition_key_range: PartitionKeyRange | None = None,
    asset_partitions_def: PartitionsDefinition | None = None,
    definition_metadata: Mapping[str, Any] | None = None,
    upstream_definition_metadata: Mapping[str, Any] | None = None,
    resources: Mapping[str, Any] | None = None,
    name: str = "input",
) -> InputContext:
    """An ``InputContext`` for testing an IO manager directly: ``partition_key`` loads one
    partition, ``asset_partition_key_range`` (with ``asset_partitions_def``) several."""
    key = AssetKey.from_coercible(asset_key) if asset_key is not None else None
    partitions = _test_partitions(
        key, partition_key, asset_partition_key_range, asset_partitions_def
    )
    upstream = OutputContext(
        asset_key=key,
        partition_key=partition_key,
        definition_metadata=normalize_metadata(upstream_definition_metadata),
        resources=resources,
        asset_partitions=partitions if partitions and len(partitions.keys) == 1 else None,
    )
    return InputContext(
        asset_key=key,
        name=name,
        upstream_output=upstream,
        partition_key=partition_key,
        definition_metadata=normalize_metadata(definition_metadata),
        resources=resources,
        asset_partitions=partitions,
    )
