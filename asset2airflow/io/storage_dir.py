"""Where built-in IO managers store data by default, and reading their settings that may be
``EnvVar``s. No I/O: these run while Airflow parses DAG files."""

from __future__ import annotations

import os
from pathlib import Path

from asset2airflow.definitions.config import EnvVar
from asset2airflow.definitions.resources import ConfigurableResource


def default_storage_dir() -> Path:
    """``$ASSET2AIRFLOW_STORAGE_DIR``, else ``$ASSET2AIRFLOW_HOME/storage``, else
    ``~/.asset2airflow/storage``. Read on each call, so a worker's environment applies."""
    explicit = os.environ.get("ASSET2AIRFLOW_STORAGE_DIR")
    if explicit:
        return Path(explicit)
    home = os.environ.get("ASSET2AIRFLOW_HOME")
    return (Path(home) if home else Path.home() / ".asset2airflow") / "storage"


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
