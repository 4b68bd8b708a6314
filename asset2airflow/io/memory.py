"""``InMemoryIOManager``: values kept in this process, for tests and ``materialize_to_memory``.

It sits on the hot path of local runs (benchmarked at 1,000 assets), so each call is a single
dict operation: no copying, no logging.
"""

from __future__ import annotations

from typing import Any

from asset2airflow.definitions.io_manager import InputContext, IOManager, OutputContext
from asset2airflow.definitions.keys import AssetKey
from asset2airflow.io.locations import missing_value

_WHERE = "this InMemoryIOManager, which only holds values stored in the same process and run"


class InMemoryIOManager(IOManager):
    """Keeps values in ``values``, keyed by (asset key, partition key or ``None``).

    Values are stored by reference, not copied. Not shared between processes or instances.
    """

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
            raise missing_value(context.asset_key, partition, _WHERE) from None
