"""``InMemoryIOManager``: values kept in this process, for tests and ``materialize_to_memory``."""

from __future__ import annotations

from typing import Any

from asset2airflow.definitions.io_manager import InputContext, IOManager, OutputContext
from asset2airflow.definitions.keys import AssetKey
from asset2airflow.io.paths import missing_value


class InMemoryIOManager(IOManager):
    """Keeps values in a dict keyed by (asset key, partition). Not shared between processes."""

    def __init__(self) -> None:
        self.values: dict[tuple[AssetKey, str | None], Any] = {}

    def handle_output(self, context: OutputContext, obj: Any) -> None:
        partition = context.partition_key if context.has_partition_key else None
        self.values[(context.asset_key, partition)] = obj

    def load_input(self, context: InputContext) -> Any:
        partition = context.partition_key if context.has_partition_key else None
        try:
            return self.values[(context.asset_key, partition)]
        except KeyError:
            raise missing_value(context.asset_key, partition, "memory of this run") from None
