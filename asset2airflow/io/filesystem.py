"""``FilesystemIOManager``: any picklable value, one file per asset (and partition)."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

from asset2airflow.definitions.io_manager import ConfigurableIOManager, InputContext, OutputContext
from asset2airflow.definitions.keys import AssetKey
from asset2airflow.io.atomic import atomic_write
from asset2airflow.io.paths import asset_path, missing_value
from asset2airflow.io.storage_dir import default_storage_dir, known_at_parse_time, setting


class FilesystemIOManager(ConfigurableIOManager):
    """Pickles values under ``base_dir`` (default: ``default_storage_dir()``), atomically."""

    base_dir: str | None = None

    def _base(self) -> Path:
        return Path(setting(self, "base_dir") or default_storage_dir()).absolute()

    def _path(self, key: AssetKey, partition: str | None) -> Path:
        return asset_path(self._base(), key, partition)

    def handle_output(self, context: OutputContext, obj: Any) -> None:
        partition = context.partition_key if context.has_partition_key else None
        path = self._path(context.asset_key, partition)

        def write(tmp: Path) -> None:
            with open(tmp, "wb") as handle:
                pickle.dump(obj, handle, protocol=pickle.HIGHEST_PROTOCOL)

        atomic_write(path, write)
        context.add_output_metadata({"path": str(path)})

    def load_input(self, context: InputContext) -> Any:
        partition = context.partition_key if context.has_partition_key else None
        path = self._path(context.asset_key, partition)
        try:
            with open(path, "rb") as handle:
                return pickle.load(handle)
        except FileNotFoundError:
            raise missing_value(context.asset_key, partition, path) from None

    def storage_uri(self, asset_key: AssetKey) -> str | None:
        if not known_at_parse_time(self, "base_dir"):
            return None
        return self._path(asset_key, None).as_uri()
