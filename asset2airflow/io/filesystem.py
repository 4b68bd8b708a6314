"""``FilesystemIOManager``: any picklable value, one file per asset (and partition).

Layout: ``<base_dir>/<key path>.pickle``, and
``<base_dir>/<key path>.partitions/<partition>.pickle`` for a partition (see
``asset2airflow.io.locations``: unlike Dagster's extension-less layout, two keys can never
collide as file vs directory). Writes are atomic (``asset2airflow.io.atomic``).
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

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
    one_or_by_key,
    op_output_path,
    output_partition,
    upstream_of,
)
from asset2airflow.io.object_storage import StoragePath, uri_of
from asset2airflow.io.storage_dir import is_env_setting, resolve_setting, storage_root

EXTENSION = ".pickle"


class FilesystemIOManager(ConfigurableIOManager):
    """Pickles values under ``base_dir`` (``None``: ``default_storage_dir()``, read at run time).

    ``base_dir`` may be an ``EnvVar``; it is then read when a value is stored or loaded, and
    ``storage_uri`` is ``None`` because environment variables are not read at parse time.
    """

    base_dir: str | None = None

    def _path(self, key: AssetKey, partition: str | None) -> StoragePath:
        base = storage_root(resolve_setting(self, "base_dir"))
        return asset_path(base, key, partition, EXTENSION)

    def _base(self) -> StoragePath:
        return storage_root(resolve_setting(self, "base_dir"))

    def handle_output(self, context: OutputContext, obj: Any) -> None:
        if context.has_asset_key:
            path = self._path(context.asset_key, output_partition(context))
            owner = f"asset {context.asset_key.to_user_string()!r}"
        else:
            path = op_output_path(self._base(), context, EXTENSION)
            owner = describe_op_output(context)

        def write(tmp: Path) -> None:
            with open(tmp, "wb") as handle:
                try:
                    pickle.dump(obj, handle, protocol=pickle.HIGHEST_PROTOCOL)
                except (pickle.PicklingError, TypeError, AttributeError) as exc:
                    raise IOManagerError(
                        f"FilesystemIOManager cannot pickle the {type(obj).__name__} returned by "
                        f"{owner}: {exc}. Return a picklable value, or give it an IO manager "
                        "that can store this type."
                    ) from exc

        atomic_write(path, write)
        context.add_output_metadata({"path": MetadataValue.path(path)})

    def load_input(self, context: InputContext) -> Any:
        """The value; ``{partition key: value}`` when the input reads several partitions."""
        if not context.has_asset_key:
            return self._load_op_output(upstream_of(context))
        return one_or_by_key(context, *load_partitions(context, lambda p: self._load(context, p)))

    def _load_op_output(self, output: OutputContext) -> Any:
        path = op_output_path(self._base(), output, EXTENSION)
        try:
            with path.open("rb") as handle:
                return pickle.load(handle)
        except FileNotFoundError:
            raise missing_op_value(output, path) from None
        except (OSError, EOFError, pickle.UnpicklingError, ValueError) as exc:
            raise IOManagerError(
                f"the stored {describe_op_output(output)} at {path} cannot be read "
                f"({type(exc).__name__}: {exc}); it is damaged or unreadable. Re-run the op."
            ) from exc

    def _load(self, context: InputContext, partition: str | None) -> Any:
        path = self._path(context.asset_key, partition)
        try:
            with path.open("rb") as handle:
                return pickle.load(handle)
        except FileNotFoundError:
            raise missing_value(context.asset_key, partition, path) from None
        except (OSError, EOFError, pickle.UnpicklingError, ValueError) as exc:
            raise IOManagerError(
                f"the stored value of {describe(context.asset_key, partition)} at {path} cannot "
                f"be read ({type(exc).__name__}: {exc}); it is damaged or unreadable. "
                f"Re-materialize {context.asset_key.to_user_string()!r}."
            ) from exc

    def storage_uri(self, asset_key: AssetKey) -> str | None:
        """``file://`` URI of the asset's (unpartitioned) file; no I/O."""
        if is_env_setting(self, "base_dir"):
            return None
        return uri_of(self._path(asset_key, None))
