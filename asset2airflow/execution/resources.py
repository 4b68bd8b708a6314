"""Building resources for one run (or one Airflow task): resolve ``EnvVar`` fields, apply run
config, call ``setup_for_execution`` once, and tear everything down at the end, failed or not.

Resources are built lazily, on first use, so a task builds only what its asset needs.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from types import TracebackType
from typing import Any

from asset2airflow.definitions.context import InitResourceContext
from asset2airflow.definitions.resources import ConfigurableResource
from asset2airflow.definitions.specs import DEFAULT_IO_MANAGER_KEY
from asset2airflow.errors import ConfigError, MissingResourceError
from asset2airflow.io import default_io_manager

_LOG = logging.getLogger("asset2airflow.resources")


def resolve_env_vars(resource: ConfigurableResource, owner: str) -> ConfigurableResource:
    """A copy of ``resource`` whose ``EnvVar`` fields (also in nested resources) hold values."""
    updates: dict[str, Any] = {}
    for field_name in type(resource).model_fields:
        value = getattr(resource, field_name)
        env_var = resource.env_var_for(field_name)
        if env_var is not None:
            updates[field_name] = env_var.resolve(f"{owner} (field {field_name!r})")
        elif isinstance(value, ConfigurableResource):
            resolved = resolve_env_vars(value, f"{owner}.{field_name}")
            if resolved is not value:
                updates[field_name] = resolved
    return resource.model_copy(update=updates) if updates else resource


def apply_resource_config(key: str, resource: Any, config: Mapping[str, Any] | None) -> Any:
    """Run config ``{"resources": {key: {"config": {...}}}}`` overrides a resource's fields."""
    if not config:
        return resource
    if not isinstance(resource, ConfigurableResource):
        raise ConfigError(
            f"run config sets fields of resource {key!r}, which is not a ConfigurableResource"
        )
    from pydantic import ValidationError

    try:
        current = {
            f: resource.env_var_for(f) or getattr(resource, f) for f in type(resource).model_fields
        }
        return type(resource)(**{**current, **config})
    except ValidationError as exc:
        raise ConfigError(f"run config for resource {key!r} is invalid: {exc}") from exc


class ResourceScope:
    """The resources of one run. Use as a context manager; ``get`` builds on first use."""

    def __init__(
        self,
        resources: Mapping[str, Any],
        run_id: str,
        resource_config: Mapping[str, Any] | None = None,
        log: logging.Logger = _LOG,
    ) -> None:
        self._definitions = dict(resources)
        self._definitions.setdefault(DEFAULT_IO_MANAGER_KEY, default_io_manager())
        self._config = dict(resource_config or {})
        unknown = sorted(set(self._config) - set(self._definitions))
        if unknown:
            raise ConfigError(
                f"run config sets resources {unknown}, which are not defined; defined resources: "
                f"{sorted(self._definitions)}"
            )
        self._built: dict[str, Any] = {}
        self._set_up: list[tuple[str, ConfigurableResource]] = []
        self._run_id = run_id
        self._log = log

    def get(self, key: str, needed_by: str) -> Any:
        built = self._built.get(key)
        if built is not None or key in self._built:
            return built
        if key not in self._definitions:
            raise MissingResourceError(
                f"{needed_by} needs resource {key!r}, which is not provided; provided resources: "
                f"{sorted(self._definitions)}. Pass it in resources={{{key!r}: ...}}."
            )
        value = apply_resource_config(
            key, self._definitions[key], self._config.get(key, {}).get("config")
        )
        if isinstance(value, ConfigurableResource):
            value = resolve_env_vars(value, f"resource {key!r} (needed by {needed_by})")
            value.setup_for_execution(InitResourceContext(self._built, self._log, self._run_id))
            self._set_up.append((key, value))
        self._built[key] = value
        return value

    def get_many(self, keys: frozenset[str] | set[str], needed_by: str) -> dict[str, Any]:
        return {key: self.get(key, needed_by) for key in keys}

    def teardown(self) -> None:
        """Tear down in reverse set-up order; one failing teardown does not skip the others."""
        errors: list[BaseException] = []
        while self._set_up:
            key, resource = self._set_up.pop()
            try:
                resource.teardown_after_execution(
                    InitResourceContext(self._built, self._log, self._run_id)
                )
            except Exception as exc:  # reported below, after every resource had its turn
                self._log.error("teardown of resource %r failed: %s", key, exc)
                errors.append(exc)
        self._built.clear()
        if errors:
            raise errors[0]

    def __enter__(self) -> ResourceScope:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc is None:
            self.teardown()
        else:
            try:
                self.teardown()
            except Exception:
                self._log.exception("teardown failed while handling another error")
