"""Where built-in IO managers store data when no directory is given, and reading settings that
may be ``EnvVar``s. Pure functions: no I/O, safe at DAG-parse time."""

from __future__ import annotations

import os
from pathlib import Path

from asset2airflow.definitions.config import EnvVar
from asset2airflow.definitions.resources import ConfigurableResource


def default_storage_dir() -> Path:
    """``$ASSET2AIRFLOW_STORAGE_DIR``, else ``$ASSET2AIRFLOW_HOME/storage``, else
    ``~/.asset2airflow/storage``."""
    explicit = os.environ.get("ASSET2AIRFLOW_STORAGE_DIR")
    if explicit:
        return Path(explicit)
    home = os.environ.get("ASSET2AIRFLOW_HOME")
    return (Path(home) if home else Path.home() / ".asset2airflow") / "storage"


def setting(resource: ConfigurableResource, field_name: str) -> str | None:
    """A string field's value, reading the environment when it was given as an ``EnvVar``."""
    env_var = resource.env_var_for(field_name)
    if env_var is not None:
        return env_var.resolve(f"{type(resource).__name__}.{field_name}")
    value = getattr(resource, field_name)
    return str(value) if value is not None else None


def known_at_parse_time(resource: ConfigurableResource, field_name: str) -> bool:
    """False when the field comes from an environment variable (never read while parsing)."""
    return resource.env_var_for(field_name) is None and not isinstance(
        getattr(resource, field_name), EnvVar
    )
