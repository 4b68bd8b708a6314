"""Loading stored asset values outside a run: ``Definitions.load_asset_value`` and
``Definitions.get_asset_value_loader()`` (Dagster's names), through each asset's IO manager."""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING, Any

from asset2airflow.authoring.io_manager import InputContext
from asset2airflow.authoring.keys import AssetKey, CoercibleToAssetKey
from asset2airflow.errors import PartitionError, SelectionError
from asset2airflow.execution.resources import ResourceScope
from asset2airflow.execution.run_config import ParsedRunConfig
from asset2airflow.execution.step import RunEnvironment, output_context, output_partitions
from asset2airflow.execution.step_loop import node_logger

if TYPE_CHECKING:
    from asset2airflow.asset_graph.definitions import Definitions


class AssetValueLoader:
    """Use as a context manager: resources are set up on first use and torn down at exit."""

    def __init__(self, defs: Definitions, run_id: str = "value-loader") -> None:
        self._defs = defs
        self._scope = ResourceScope(defs.resources, run_id)

    def load_asset_value(
        self, asset_key: CoercibleToAssetKey, *, partition_key: str | None = None
    ) -> Any:
        graph = self._defs.asset_graph
        key = AssetKey.from_coercible(asset_key)
        if not graph.has(key):
            raise SelectionError(
                f"cannot load asset {key.to_user_string()!r}: it is not defined here; defined "
                f"assets: {[k.to_user_string() for k in graph.all_keys[:20]]}"
            )
        partitions_def = graph.spec(key).partitions_def
        if partitions_def is None and partition_key is not None:
            raise PartitionError(
                f"asset {key.to_user_string()!r} is not partitioned; drop partition_key"
            )
        if partitions_def is not None:
            if partition_key is None:
                raise PartitionError(
                    f"asset {key.to_user_string()!r} is partitioned; pass partition_key=..."
                )
            partitions_def.validate_key(partition_key, f"asset {key.to_user_string()!r}")
        env = RunEnvironment(graph, self._scope, ParsedRunConfig({}, []), partition_key)
        what = f"loading asset {key.to_user_string()!r}"
        manager = self._scope.get(graph.io_manager_key(key), what)
        log = node_logger(graph.get(key).node_name)
        upstream = output_context(env, key, {}, log)
        context = InputContext(
            asset_key=key,
            name=key.to_python_identifier(),
            upstream_output=upstream,
            partition_key=upstream.partition_key if upstream.has_partition_key else None,
            log=log,
            asset_partitions=output_partitions(env, key),
        )
        return manager.load_input(context)

    def __enter__(self) -> AssetValueLoader:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._scope.__exit__(exc_type, exc, tb)
