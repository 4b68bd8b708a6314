"""Where built-in IO managers store data by default, and reading their settings that may be
``EnvVar``s. No I/O: these run while Airflow parses DAG files."""

from __future__ import annotations

import os
from pathlib import Path

from asset2airflow.authoring.config import EnvVar
from asset2airflow.authoring.resources import ConfigurableResource
from asset2airflow.io.object_storage import StoragePath, is_url, object_storage_path


def default_storage_dir() -> Path:
    """``$ASSET2AIRFLOW_STORAGE_DIR`` (when a local path), else ``$ASSET2AIRFLOW_HOME/storage``,
    else ``~/.asset2airflow/storage``. Read on each call, so a worker's environment applies.
    File IO managers resolve it with ``storage_root``."""
    explicit = os.environ.get("ASSET2AIRFLOW_STORAGE_DIR")
    if explicit and not is_url(explicit):
        return local_dir(explicit)
    home = os.environ.get("ASSET2AIRFLOW_HOME")
    return (Path(home) if home else Path.home() / ".asset2airflow") / "storage"


def local_dir(value: str) -> Path:
    """A configured local directory as an absolute path. A relative one is resolved against
    ``$ASSET2AIRFLOW_HOME`` when that is set -- the same on the dag processor (which computes
    asset URIs) and on every worker (which writes), whatever their working directories -- and
    against the current directory otherwise."""
    path = Path(value).expanduser()
    if path.is_absolute():
        return path
    home = os.environ.get("ASSET2AIRFLOW_HOME")
    return (Path(home).expanduser() if home else Path.cwd()).absolute() / path


def storage_root(configured: str | None) -> StoragePath:
    """Where a file IO manager stores: ``configured`` (its ``base_dir``), else
    ``$ASSET2AIRFLOW_STORAGE_DIR``, else ``default_storage_dir()``. A URL (``s3://``, ``gs://``,
    ``file://``) is object storage (``asset2airflow.io.object_storage``); a path is resolved by
    ``local_dir``. Read on each call, so a worker's environment applies."""
    value = configured or os.environ.get("ASSET2AIRFLOW_STORAGE_DIR")
    if value and is_url(value):
        return object_storage_path(value)
    if configured:
        return local_dir(configured)
    return default_storage_dir().expanduser().absolute()


def _env_var_of(resource: ConfigurableResource, field_name: str) -> EnvVar | None:
    # pydantic stores an EnvVar as a plain str; the resource remembers which fields were EnvVars.
    recorded = resource.env_var_for(field_name)
    if recorded is not None:
        return recorded
    value = getattr(resource, field_name)
    return value if isinstance(value, EnvVar) else None


def resolve_setting(resource: ConfigurableResource, field_name: str) -> str | None:
    """A string field's value at run time; an ``EnvVar`` is read now and must be set
    (``EnvVarNotSetError`` naming ``<Class>.<field>`` otherwise)."""
    env_var = _env_var_of(resource, field_name)
    if env_var is not None:
        return env_var.resolve(owner=f"{type(resource).__name__}.{field_name}")
    value = getattr(resource, field_name)
    return None if value is None else str(value)


def is_env_setting(resource: ConfigurableResource, field_name: str) -> bool:
    """Whether the field comes from an environment variable, which is never read at parse time
    (so, e.g., ``storage_uri`` cannot know the location)."""
    return _env_var_of(resource, field_name) is not None
