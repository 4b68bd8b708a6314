"""Object storage for the file IO managers (``FilesystemIOManager``, ``ParquetIOManager``): a
``base_dir`` (or ``$ASSET2AIRFLOW_STORAGE_DIR``) that is a URL -- ``s3://bucket/prefix``,
``gs://bucket/prefix``, ``file:///shared/data`` -- is an Airflow ``ObjectStoragePath``, so a
Celery or Kubernetes fleet needs no shared disk. Airflow is imported only when such a path is
used (a local ``base_dir`` never imports it). Credentials
come from the Airflow connection in the URL (``s3://<conn_id>@bucket/prefix``) or the
filesystem's defaults, as for any ``ObjectStoragePath``.

Writes stay all-or-nothing: the value is written to a local temp file, uploaded to a hidden
sibling object (``.<name>.tmp-<pid>-<random>``) and moved over the target, so readers see the
previous object or the complete new one.
"""

from __future__ import annotations

import contextlib
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Union
from urllib.parse import urlsplit, urlunsplit

from asset2airflow.errors import IOManagerError

if TYPE_CHECKING:
    import pyarrow as pa
    from airflow.sdk import ObjectStoragePath

StoragePath = Union[Path, "ObjectStoragePath"]
"""Where a file IO manager keeps one value: a local path or an object in object storage."""

_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def is_url(value: str) -> bool:
    """``scheme://...`` (``s3://b/k``, ``file:///x``), as opposed to a local path."""
    return bool(_URL.match(value))


def object_storage_path(url: str) -> ObjectStoragePath:
    """``url`` as Airflow's ``ObjectStoragePath`` (imports Airflow now)."""
    try:
        from airflow.sdk import ObjectStoragePath
    except ImportError as exc:  # pragma: no cover - Airflow is a dependency
        raise IOManagerError(
            f"base_dir {url!r} is object storage, which needs Apache Airflow's ObjectStoragePath "
            f"(airflow.sdk): {exc}"
        ) from exc
    try:
        return ObjectStoragePath(url)
    except Exception as exc:
        raise IOManagerError(
            f"base_dir {url!r} cannot be opened as Airflow object storage ({exc}); install the "
            "provider for its scheme (e.g. apache-airflow-providers-amazon[s3fs] for s3://) or "
            "use a local path."
        ) from exc


def uri_of(path: StoragePath) -> str:
    """The URI of a stored value: ``file://...`` for a local path, the URL otherwise, without
    the connection id (``s3://conn@bucket/k`` -> ``s3://bucket/k``), as Airflow assets and
    OpenLineage name the object."""
    if isinstance(path, Path):
        return path.as_uri()
    parts = urlsplit(str(path))
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


def write_object(path: ObjectStoragePath, write: Callable[[Path], object]) -> None:
    """``write(tmp)`` into a local temp file, then upload it to a hidden sibling of ``path`` and
    move it over ``path`` (all or nothing); the sibling is removed if anything fails."""
    import os
    import secrets

    fs = path.fs
    with tempfile.TemporaryDirectory(prefix="asset2airflow-upload-") as folder:
        local = Path(folder) / path.name
        write(local)
        hidden = path.with_name(f".{path.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}")
        try:
            fs.makedirs(path.parent.path, exist_ok=True)
            fs.put_file(str(local), hidden.path)
            fs.mv(hidden.path, path.path)
        except BaseException:
            with contextlib.suppress(Exception):
                fs.rm(hidden.path)
            raise


def read_parquet(path: StoragePath) -> pa.Table:
    """A Parquet file as a pyarrow Table, local or in object storage."""
    import pyarrow.parquet as pq

    if isinstance(path, Path):
        return pq.read_table(path)
    with path.open("rb") as handle:  # type: ignore[no-untyped-call]
        return pq.read_table(handle)
