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

from typing import TYPE_CHECKING, Any

from asset2airflow.authoring.io_manager import ConfigurableIOManager, InputContext, OutputContext
from asset2airflow.authoring.keys import AssetKey
from asset2airflow.authoring.metadata import MetadataValue
from asset2airflow.errors import IOManagerError
from asset2airflow.io.atomic import atomic_write
from asset2airflow.io.locations import (
    asset_path,
    describe,
    describe_op_output,
    load_partitions,
    missing_op_value,
    missing_value,
    op_output_path,
    output_partition,
    upstream_of,
)
from asset2airflow.io.object_storage import StoragePath, read_parquet, uri_of
from asset2airflow.io.storage_dir import is_env_setting, resolve_setting, storage_root

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

    def _path(self, key: AssetKey, partition: str | None) -> StoragePath:
        base = storage_root(resolve_setting(self, "base_dir"))
        return asset_path(base, key, partition, ".parquet")

    def handle_output(self, context: OutputContext, obj: Any) -> None:
        import pyarrow.parquet as pq

        if context.has_asset_key:
            table = _to_arrow(obj, f"asset {context.asset_key.to_user_string()!r}")
            path = self._path(context.asset_key, output_partition(context))
        else:
            table = _to_arrow(obj, describe_op_output(context))
            base = storage_root(resolve_setting(self, "base_dir"))
            path = op_output_path(base, context, ".parquet")
        atomic_write(path, lambda tmp: pq.write_table(table, tmp))
        context.add_output_metadata(
            {"path": MetadataValue.path(path), "row_count": MetadataValue.int(table.num_rows)}
        )

    def load_input(self, context: InputContext) -> Any:
        """A DataFrame (or pyarrow Table); the partitions' rows concatenated, in partition
        order, when the input reads several."""
        import pyarrow as pa

        load_as = _load_as(context)
        if not context.has_asset_key:
            table = self._load_op_output(upstream_of(context))
            return table if load_as == "pyarrow" else table.to_pandas()
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

    def _load_op_output(self, output: OutputContext) -> pa.Table:

        base = storage_root(resolve_setting(self, "base_dir"))
        path = op_output_path(base, output, ".parquet")
        if not path.is_file():
            raise missing_op_value(output, path)
        try:
            return read_parquet(path)
        except (OSError, ValueError) as exc:
            raise IOManagerError(
                f"the stored {describe_op_output(output)} at {path} cannot be read as Parquet "
                f"({type(exc).__name__}: {exc}); re-run the op."
            ) from exc

    def _load(self, context: InputContext, partition: str | None) -> pa.Table:

        path = self._path(context.asset_key, partition)
        if not path.is_file():
            raise missing_value(context.asset_key, partition, path)
        try:
            table = read_parquet(path)
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
        return uri_of(self._path(asset_key, None))


def _to_arrow(obj: Any, owner: str) -> pa.Table:
    import pandas as pd
    import pyarrow as pa

    if isinstance(obj, pa.Table):
        return obj
    if isinstance(obj, pd.DataFrame):
        return pa.Table.from_pandas(obj)
    raise IOManagerError(
        f"ParquetIOManager cannot store {owner}: it returned a "
        f"{type(obj).__name__}. Return a pandas DataFrame or a pyarrow "
        "Table, or give the asset a FilesystemIOManager (io_manager_key) to pickle other values."
    )


def _loaded(context: InputContext) -> str:
    if context.has_asset_key:
        return f"asset {context.asset_key.to_user_string()!r}"
    return "an op output"


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
            f"input {context.name!r} loading {_loaded(context)} has "
            f"metadata {LOAD_AS_KEY}={entry.value!r}; ParquetIOManager accepts "
            f"{LOAD_AS_KEY}='pandas' (the default) or {LOAD_AS_KEY}='pyarrow'."
        )
    return str(entry.value)
