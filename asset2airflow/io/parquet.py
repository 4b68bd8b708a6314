"""``ParquetIOManager``: pandas DataFrames and pyarrow Tables as Parquet files.

Layout: ``<base_dir>/<key path>.parquet``, and
``<base_dir>/<key path>.partitions/<partition>.parquet`` for a partition (``io.locations``).
Writes are atomic (see ``asset2airflow.io.atomic``). A pandas index is kept (a default
``RangeIndex`` costs nothing). Values load as a pandas DataFrame, or as a
``pyarrow.Table`` when the input's metadata (``AssetIn(metadata={"load_as": "pyarrow"})``) or,
failing that, the upstream asset's definition metadata says ``"load_as": "pyarrow"``.
pandas and pyarrow are imported on first use, keeping DAG parsing light.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from asset2airflow.definitions.io_manager import ConfigurableIOManager, InputContext, OutputContext
from asset2airflow.definitions.keys import AssetKey
from asset2airflow.definitions.metadata import MetadataValue
from asset2airflow.errors import IOManagerError
from asset2airflow.io.atomic import atomic_write
from asset2airflow.io.locations import (
    asset_path,
    describe,
    load_partitions,
    missing_value,
    output_partition,
)
from asset2airflow.io.storage_dir import default_storage_dir, is_env_setting, resolve_setting

if TYPE_CHECKING:
    import pyarrow as pa

LOAD_AS_KEY = "load_as"
_LOAD_AS_VALUES = ("pandas", "pyarrow")


class ParquetIOManager(ConfigurableIOManager):
    """Stores DataFrames/Tables under ``base_dir`` (``None``: ``default_storage_dir()``).

    ``base_dir`` may be an ``EnvVar``, read when a value is stored or loaded (``storage_uri`` is
    then ``None``).
    """

    base_dir: str | None = None

    def _path(self, key: AssetKey, partition: str | None) -> Path:
        base = Path(resolve_setting(self, "base_dir") or default_storage_dir()).absolute()
        return asset_path(base, key, partition, ".parquet")

    def handle_output(self, context: OutputContext, obj: Any) -> None:
        import pyarrow.parquet as pq

        table = _to_arrow(obj, context.asset_key)
        path = self._path(context.asset_key, output_partition(context))
        atomic_write(path, lambda tmp: pq.write_table(table, tmp))
        context.add_output_metadata(
            {"path": MetadataValue.path(path), "row_count": MetadataValue.int(table.num_rows)}
        )

    def load_input(self, context: InputContext) -> Any:
        """A DataFrame (or pyarrow Table); the partitions' rows concatenated, in partition
        order, when the input reads several."""
        import pyarrow as pa

        load_as = _load_as(context)
        _, tables = load_partitions(context, lambda p: self._load(context, p))
        if not tables:
            raise IOManagerError(
                f"input {context.name!r} reads no partitions of asset "
                f"{context.asset_key.to_user_string()!r}: its partition mapping chose none."
            )
        table = (
            tables[0] if len(tables) == 1 else pa.concat_tables(tables, promote_options="default")
        )
        return table if load_as == "pyarrow" else table.to_pandas()

    def _load(self, context: InputContext, partition: str | None) -> pa.Table:
        import pyarrow.parquet as pq

        path = self._path(context.asset_key, partition)
        if not path.is_file():
            raise missing_value(context.asset_key, partition, path)
        try:
            table = pq.read_table(path)
        except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError
            raise IOManagerError(
                f"the stored value of {describe(context.asset_key, partition)} at {path} cannot "
                f"be read as Parquet ({type(exc).__name__}: {exc}); it is damaged or unreadable. "
                f"Re-materialize {context.asset_key.to_user_string()!r}."
            ) from exc
        return table

    def storage_uri(self, asset_key: AssetKey) -> str | None:
        """``file://`` URI of the asset's ``.parquet`` file; no I/O."""
        if is_env_setting(self, "base_dir"):
            return None
        return self._path(asset_key, None).as_uri()


def _to_arrow(obj: Any, key: AssetKey) -> pa.Table:
    import pandas as pd
    import pyarrow as pa

    if isinstance(obj, pa.Table):
        return obj
    if isinstance(obj, pd.DataFrame):
        return pa.Table.from_pandas(obj)
    raise IOManagerError(
        f"ParquetIOManager cannot store asset {key.to_user_string()!r}: it returned a "
        f"{type(obj).__name__}. Return a pandas DataFrame or a pyarrow "
        "Table, or give the asset a FilesystemIOManager (io_manager_key) to pickle other values."
    )


def _load_as(context: InputContext) -> str:
    """``"pandas"`` or ``"pyarrow"``: the input's ``load_as`` metadata, else the upstream
    asset's, else ``"pandas"``."""
    entry = context.definition_metadata.get(LOAD_AS_KEY)
    if entry is None and context.upstream_output is not None:
        entry = context.upstream_output.definition_metadata.get(LOAD_AS_KEY)
    if entry is None:
        return "pandas"
    if entry.value not in _LOAD_AS_VALUES:
        raise IOManagerError(
            f"input {context.name!r} loading asset {context.asset_key.to_user_string()!r} has "
            f"metadata {LOAD_AS_KEY}={entry.value!r}; ParquetIOManager accepts "
            f"{LOAD_AS_KEY}='pandas' (the default) or {LOAD_AS_KEY}='pyarrow'."
        )
    return str(entry.value)
