"""The ``context`` object user code receives, and ``build_asset_context`` for unit tests."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from asset2airflow.authoring.dynamic_partitions import DynamicPartitionsStore, active_store
from asset2airflow.authoring.keys import AssetKey
from asset2airflow.authoring.metadata import MetadataValue, normalize_metadata
from asset2airflow.authoring.partition_scope import AssetPartitions
from asset2airflow.authoring.partitions import (
    PartitionKeyRange,
    PartitionsDefinition,
    StaticPartitionsDefinition,
)
from asset2airflow.authoring.resources import Resources
from asset2airflow.authoring.time_partitions import TimeWindow
from asset2airflow.errors import ConfigError, PartitionError


@dataclass(frozen=True)
class RunInfo:
    """``context.run``: the run's id and tags (Dagster's ``DagsterRun`` fields users read). In
    Airflow the tags name the DAG, the run and its type (``airflow/dag_id``...)."""

    run_id: str
    tags: Mapping[str, str] = field(default_factory=dict)


class AssetExecutionContext:
    """Passed to an asset whose first parameter is ``context``.

    Gives the run's resources, partition, config and logger (in Airflow, the logger writes to the
    task log), and collects output metadata via ``add_output_metadata``.
    """

    __slots__ = (
        "_input_partitions",
        "_output_keys",
        "_output_metadata",
        "_partitions",
        "_selected",
        "log",
        "node_name",
        "op_config",
        "resources",
        "retry_number",
        "run_id",
        "run_tags",
    )

    def __init__(
        self,
        *,
        node_name: str,
        output_keys: Mapping[str, AssetKey],
        selected_asset_keys: Sequence[AssetKey] | None = None,
        resources: Mapping[str, Any] | None = None,
        partitions: AssetPartitions | None = None,
        input_partitions: Mapping[str, AssetPartitions | None] | None = None,
        op_config: Any = None,
        run_id: str = "local",
        log: logging.Logger | None = None,
        retry_number: int = 0,
        run_tags: Mapping[str, str] | None = None,
    ) -> None:
        self.node_name = node_name
        self.run_tags = dict(run_tags or {})
        self._output_keys = dict(output_keys)
        self._selected = (
            list(selected_asset_keys)
            if selected_asset_keys is not None
            else list(output_keys.values())
        )
        self.resources = Resources(resources or {})
        self._partitions = partitions
        self._input_partitions = dict(input_partitions or {})
        self.op_config = op_config
        self.run_id = run_id
        self.log = log or logging.getLogger(f"asset2airflow.{node_name}")
        self.retry_number = retry_number
        self._output_metadata: dict[str, dict[str, MetadataValue]] = {}

    def bind_to(
        self,
        node_name: str,
        output_keys: Mapping[str, AssetKey],
        partitions_def: PartitionsDefinition | None = None,
    ) -> None:
        """Point a test context (``build_asset_context``) at the definition it is passed to;
        its partition key must then be one of the definition's partitions."""
        self.node_name = node_name
        self._output_keys = dict(output_keys)
        self._selected = list(output_keys.values())
        if self._partitions is not None and partitions_def is not None:
            partitions_def.validate_key(self._partitions.key, f"{node_name!r}")
            self._partitions = AssetPartitions(
                partitions_def, self._partitions.keys, f"asset {node_name!r}"
            )

    @property
    def run(self) -> RunInfo:
        return RunInfo(self.run_id, dict(self.run_tags))

    @property
    def asset_key(self) -> AssetKey:
        if len(self._output_keys) != 1:
            raise ValueError(
                f"{self.node_name!r} produces several assets; use "
                "context.asset_key_for_output(name)"
            )
        return next(iter(self._output_keys.values()))

    def asset_key_for_output(self, output_name: str = "result") -> AssetKey:
        return self._output_keys[output_name]

    @property
    def selected_asset_keys(self) -> set[AssetKey]:
        return set(self._selected)

    @property
    def selected_output_names(self) -> set[str]:
        selected = set(self._selected)
        return {name for name, key in self._output_keys.items() if key in selected}

    # --- partitions (Dagster's names) -----------------------------------------------------

    @property
    def instance(self) -> DynamicPartitionsStore:
        """Where dynamic partition keys are added and read (Dagster's ``context.instance``;
        in Airflow, the metadata DB)."""
        store = active_store()
        if store is None:
            raise PartitionError(
                f"{self.node_name!r}: context.instance exists only while a run executes "
                "(materialize(), the CLI or an Airflow task); a test context built by "
                "build_asset_context() has none."
            )
        return store

    def _run_partitions(self) -> AssetPartitions:
        if self._partitions is None:
            raise PartitionError(
                f"{self.node_name!r} is not running for a partition; pass partition_key to "
                "materialize() or give the asset a partitions_def."
            )
        return self._partitions

    @property
    def has_partition_key(self) -> bool:
        return self._partitions is not None and len(self._partitions.keys) == 1

    @property
    def partition_key(self) -> str:
        """The run's key (a ``MultiPartitionKey`` for multi-partitions)."""
        partitions = self._run_partitions()
        return partitions.partitions_def.key_object(partitions.key)

    @property
    def partition_keys(self) -> list[str]:
        return list(self._run_partitions().keys)

    @property
    def partition_key_range(self) -> PartitionKeyRange:
        return self._run_partitions().key_range

    @property
    def partition_time_window(self) -> TimeWindow:
        return self._run_partitions().time_window

    @property
    def partitions_def(self) -> PartitionsDefinition:
        return self._run_partitions().partitions_def

    def _output_partitions(self, output_name: str) -> AssetPartitions:
        if output_name not in self._output_keys:
            raise ValueError(
                f"{self.node_name!r} has no output {output_name!r}; outputs: "
                f"{sorted(self._output_keys)}"
            )
        return self._run_partitions()

    def asset_partition_key_for_output(self, output_name: str = "result") -> str:
        return self._output_partitions(output_name).key

    def asset_partition_keys_for_output(self, output_name: str = "result") -> list[str]:
        return list(self._output_partitions(output_name).keys)

    def asset_partition_key_range_for_output(
        self, output_name: str = "result"
    ) -> PartitionKeyRange:
        return self._output_partitions(output_name).key_range

    def asset_partitions_time_window_for_output(self, output_name: str = "result") -> TimeWindow:
        return self._output_partitions(output_name).time_window

    def _input(self, input_name: str) -> AssetPartitions:
        if input_name not in self._input_partitions:
            raise ValueError(
                f"{self.node_name!r} has no input {input_name!r}; inputs: "
                f"{sorted(self._input_partitions)}"
            )
        partitions = self._input_partitions[input_name]
        if partitions is None:
            raise PartitionError(
                f"input {input_name!r} of {self.node_name!r} reads an unpartitioned asset."
            )
        return partitions

    def asset_partition_key_for_input(self, input_name: str) -> str:
        return self._input(input_name).key

    def asset_partition_keys_for_input(self, input_name: str) -> list[str]:
        return list(self._input(input_name).keys)

    def asset_partition_key_range_for_input(self, input_name: str) -> PartitionKeyRange:
        return self._input(input_name).key_range

    def asset_partitions_time_window_for_input(self, input_name: str) -> TimeWindow:
        return self._input(input_name).time_window

    def add_output_metadata(
        self, metadata: Mapping[str, Any], output_name: str | None = None
    ) -> None:
        """Attach metadata to the materialization of an output (the only one if not named)."""
        if output_name is None:
            if len(self._output_keys) != 1:
                raise ValueError(
                    f"{self.node_name!r} has several outputs; pass output_name to "
                    "add_output_metadata"
                )
            output_name = next(iter(self._output_keys))
        owner = f"output {output_name!r} of {self.node_name!r}"
        self._output_metadata.setdefault(output_name, {}).update(
            normalize_metadata(metadata, owner)
        )

    def output_metadata(self, output_name: str) -> dict[str, MetadataValue]:
        """Metadata added so far for ``output_name`` (read by the execution engine)."""
        return self._output_metadata.get(output_name, {})


class OpExecutionContext(AssetExecutionContext):
    """Passed to an op whose first parameter is ``context``: ``op_config``, ``resources``,
    ``log``, ``run_id``, ``run``, ``retry_number``, ``partition_key`` (when the job is
    partitioned) and ``get_mapping_key()`` (the item a mapped op runs for). Assets accept it as
    an annotation too, as in Dagster."""

    __slots__ = ("_mapping_key", "_op_def", "job_name")

    def __init__(
        self,
        *,
        mapping_key: str | None = None,
        job_name: str | None = None,
        op_def: Any = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("output_keys", {})
        super().__init__(**kwargs)
        self._mapping_key = mapping_key
        self._op_def = op_def
        self.job_name = job_name

    def get_mapping_key(self) -> str | None:
        """The mapping key of the ``DynamicOutput`` this (mapped) op runs for; else ``None``."""
        return self._mapping_key

    @property
    def op_def(self) -> Any:
        """The ``OpDefinition`` running (its ``name``, ``tags``, ``description``...)."""
        if self._op_def is None:
            raise ValueError("this context is not bound to an op yet; pass it to an op")
        return self._op_def

    def bind_op(self, op_def: Any) -> None:
        """Point a test context (``build_op_context``) at the op it is passed to."""
        self._op_def = op_def
        self.node_name = op_def.name
        self.log = logging.getLogger(f"asset2airflow.{op_def.name}")


class AssetCheckExecutionContext(AssetExecutionContext):
    """Passed to an ``@asset_check`` function whose first parameter is ``context``."""

    __slots__ = ()


def _test_partitions(partition_key: str | None) -> AssetPartitions | None:
    if partition_key is None:
        return None
    return AssetPartitions(StaticPartitionsDefinition([partition_key]), (partition_key,), "test")


def build_op_context(
    resources: Mapping[str, Any] | None = None,
    op_config: Any = None,
    resources_config: Mapping[str, Any] | None = None,
    instance: Any = None,
    config: Any = None,
    partition_key: str | None = None,
    partition_key_range: Any = None,
    mapping_key: str | None = None,
    run_tags: Mapping[str, str] | None = None,
    event_loop: Any = None,
) -> OpExecutionContext:
    """A context for calling an op directly in a unit test: ``my_op(build_op_context(), 1)``.

    ``op_config`` (or its alias ``config``) is what ``context.op_config`` returns and fills a
    typed ``Config`` parameter. ``resources_config``, ``instance``, ``partition_key_range`` and
    ``event_loop`` are not built and are refused.
    """
    refused = {
        "resources_config": resources_config,
        "instance": instance,
        "partition_key_range": partition_key_range,
        "event_loop": event_loop,
    }
    for name, value in refused.items():
        if value is not None:
            raise ConfigError(
                f"build_op_context({name}=...) is not built yet; configure resources by "
                "constructing them (resources={'key': MyResource(field=...)})."
            )
    if op_config is not None and config is not None:
        raise ConfigError("build_op_context: pass op_config or config (its alias), not both")
    return OpExecutionContext(
        node_name="direct_invocation",
        resources=resources,
        partitions=_test_partitions(partition_key),
        op_config=op_config if op_config is not None else config,
        run_id="test",
        mapping_key=mapping_key,
        run_tags=run_tags,
    )


def build_asset_context(
    resources: Mapping[str, Any] | None = None,
    partition_key: str | None = None,
    asset_config: Any = None,
    run_id: str = "test",
) -> AssetExecutionContext:
    """A context for calling an asset directly in a unit test: ``my_asset(build_asset_context())``.

    The asset key is filled in when the context is passed to an asset.
    """
    return AssetExecutionContext(
        node_name="direct_invocation",
        output_keys={},
        resources=resources,
        partitions=(
            AssetPartitions(StaticPartitionsDefinition([partition_key]), (partition_key,), "test")
            if partition_key is not None
            else None
        ),
        op_config=asset_config,
        run_id=run_id,
    )
