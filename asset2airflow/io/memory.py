"""``InMemoryIOManager``: values kept in this process, for tests and ``materialize_to_memory``.

It sits on the hot path of local runs (benchmarked at 1,000 assets), so each call is a single
dict operation: no copying, no logging.
"""

from __future__ import annotations

from typing import Any

from asset2airflow.authoring.io_manager import InputContext, IOManager, OutputContext
from asset2airflow.authoring.keys import AssetKey
from asset2airflow.io.locations import (
    load_partitions,
    missing_op_value,
    missing_value,
    one_or_by_key,
    output_partition,
    upstream_of,
)

_WHERE = "this InMemoryIOManager, which only holds values stored in the same process and run"


class InMemoryIOManager(IOManager):
    """Keeps values in ``values``, keyed by (asset key, partition key or ``None``).

    Values are stored by reference, not copied. Not shared between processes or instances.
    """

    def __init__(self) -> None:
        self.values: dict[tuple[AssetKey, str | None], Any] = {}
        self.op_values: dict[tuple[str, ...], Any] = {}

    def handle_output(self, context: OutputContext, obj: Any) -> None:
        if not context.has_asset_key:  # an op output: keyed by run, step, output (, item)
            self.op_values[tuple(context.get_identifier())] = obj
            return
        self.values[(context.asset_key, output_partition(context))] = obj

    def load_input(self, context: InputContext) -> Any:
        """The value; ``{partition key: value}`` when the input reads several partitions."""
        if not context.has_asset_key:
            output = upstream_of(context)
            try:
                return self.op_values[tuple(output.get_identifier())]
            except KeyError:
                raise missing_op_value(output, _WHERE) from None
        return one_or_by_key(context, *load_partitions(context, lambda p: self._load(context, p)))

    def _load(self, context: InputContext, partition: str | None) -> Any:
        try:
            return self.values[(context.asset_key, partition)]
        except KeyError:
            raise missing_value(context.asset_key, partition, _WHERE) from None
