"""``ParquetIOManager``: pandas DataFrames and pyarrow Tables as Parquet files.

Loads as a pandas DataFrame; an input with ``AssetIn(metadata={"load_as": "pyarrow"})`` gets a
``pyarrow.Table``. pandas/pyarrow are imported when used, keeping DAG parsing light.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from asset2airflow.definitions.io_manager import ConfigurableIOManager, InputContext, OutputContext
from asset2airflow.definitions.keys import AssetKey
from asset2airflow.errors import IOManagerError
from asset2airflow.io.atomic import atomic_write
from asset2airflow.io.paths import asset_path, missing_value
from asset2airflow.io.storage_dir import default_storage_dir, known_at_parse_time, setting


class ParquetIOManager(ConfigurableIOManager):
    """Writes ``<base_dir>/<key path>.parquet`` (partitions: ``<key path>/<partition>.parquet``)."""

    base_dir: str | None = None

    def _path(self, key: AssetKey, partition: str | None) -> Path:
        base = Path(setting(self, "base_dir") or default_storage_dir()).absolute()
        return asset_path(base, key, partition, ".parquet")

    def handle_output(self, context: OutputContext, obj: Any) -> None:
        import pandas as pd
        import pyarrow as pa
        import pyarrow.parquet as pq

        if isinstance(obj, pd.DataFrame):
            table = pa.Table.from_pandas(obj, preserve_index=False)
        elif isinstance(obj, pa.Table):
            table = obj
        else:
            raise IOManagerError(
                f"ParquetIOManager cannot store asset {context.asset_key.to_user_string()!r}: it "
                f"returned a {type(obj).__name__}; return a pandas DataFrame or pyarrow Table, or "
                "give the asset another io_manager_key (e.g. a FilesystemIOManager)."
            )
        partition = context.partition_key if context.has_partition_key else None
        path = self._path(context.asset_key, partition)
        atomic_write(path, lambda tmp: pq.write_table(table, tmp))
        context.add_output_metadata({"path": str(path), "row_count": table.num_rows})

    def load_input(self, context: InputContext) -> Any:
        import pyarrow.parquet as pq

        partition = context.partition_key if context.has_partition_key else None
        path = self._path(context.asset_key, partition)
        if not path.exists():
            raise missing_value(context.asset_key, partition, path)
        table = pq.read_table(path)
        load_as = context.definition_metadata.get("load_as")
        if load_as is not None and load_as.value == "pyarrow":
            return table
        return table.to_pandas()

    def storage_uri(self, asset_key: AssetKey) -> str | None:
        if not known_at_parse_time(self, "base_dir"):
            return None
        return self._path(asset_key, None).as_uri()
