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

from asset2airflow.definitions.keys import AssetKey, CoercibleToAssetKey
from asset2airflow.definitions.metadata import MetadataValue, normalize_metadata
from asset2airflow.definitions.resources import ConfigurableResource
from asset2airflow.errors import ConfigError, DefinitionError, PartitionError

if TYPE_CHECKING:
    from asset2airflow.definitions.context import InitResourceContext

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


IOManagerFunction = Callable[["InitResourceContext"], IOManager]


class IOManagerDefinition:
    """An IO manager built once per run (per Airflow task) by a function, Dagster's
    ``@io_manager``; ``hardcoded_io_manager`` wraps a ready instance.

    ``config_schema`` maps each config field to its default, or to a type when the field is
    required; run config ``{"resources": {key: {"config": {...}}}}`` fills it in and the function
    reads it as ``init_context.resource_config``.
    """

    def __init__(
        self,
        resource_fn: IOManagerFunction,
        config_schema: Mapping[str, Any] | None = None,
        required_resource_keys: Iterable[str] | None = None,
        description: str | None = None,
        hardcoded: IOManager | None = None,
    ) -> None:
        self.resource_fn = resource_fn
        self.config_schema = dict(config_schema or {})
        self.required_resource_keys = frozenset(required_resource_keys or ())
        self.description = description
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

    def resolve_config(self, given: Mapping[str, Any] | None, key: str) -> dict[str, Any]:
        """The config the function sees: schema defaults, then ``given``; errors name ``key``."""
        given = dict(given or {})
        unknown = sorted(set(given) - set(self.config_schema))
        if unknown and self.config_schema:
            raise ConfigError(
                f"run config for IO manager {key!r} sets {unknown}, which its config_schema "
                f"does not have; it has {sorted(self.config_schema)}."
            )
        config = {k: v for k, v in self.config_schema.items() if not isinstance(v, type)}
        config.update(given)
        missing = sorted(k for k, v in self.config_schema.items() if k not in config)
        if missing:
            raise ConfigError(
                f"IO manager {key!r} needs config {missing}; give it in run config "
                f"{{'resources': {{{key!r}: {{'config': {{...}}}}}}}}."
            )
        return config

    def storage_uri(self, asset_key: AssetKey) -> str | None:
        """The hardcoded instance's URI; a function-built manager is unknown at parse time."""
        return self._hardcoded.storage_uri(asset_key) if self._hardcoded is not None else None

    def __repr__(self) -> str:
        name = getattr(self.resource_fn, "__name__", "io_manager")
        return f"<IOManagerDefinition {name}>"


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
