"""Building resources for one run (or one Airflow task): resolve ``EnvVar`` fields, apply run
config, call ``setup_for_execution`` once, and tear everything down at the end, failed or not.

Resources are built lazily, on first use, so a task builds only what its asset needs.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from types import TracebackType
from typing import Any

from asset2airflow.authoring.io_manager import IOManager, IOManagerDefinition
from asset2airflow.authoring.resources import ConfigurableResource, InitResourceContext
from asset2airflow.authoring.specs import DEFAULT_IO_MANAGER_KEY
from asset2airflow.errors import ConfigError, MissingResourceError, ResourceError
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
        self._failed: dict[str, ResourceError] = {}
        self._set_up: list[tuple[str, ConfigurableResource]] = []
        self._run_id = run_id
        self._log = log

    def get(self, key: str, needed_by: str) -> Any:
        built = self._built.get(key)
        if built is not None or key in self._built:
            return built
        failed = self._failed.get(key)
        if failed is not None:  # set-up is tried once per run; later users get the same error
            raise ResourceError(f"{needed_by} cannot run: {failed}") from failed.__cause__
        if key not in self._definitions:
            raise MissingResourceError(
                f"{needed_by} needs resource {key!r}, which is not provided; provided resources: "
                f"{sorted(self._definitions)}. Pass it in resources={{{key!r}: ...}}."
            )
        given = self._config.get(key, {}).get("config")
        definition = self._definitions[key]
        if isinstance(definition, IOManagerDefinition):
            manager = self._build_io_manager(key, definition, given, needed_by)
            self._built[key] = manager
            return manager
        value = apply_resource_config(key, definition, given)
        if isinstance(value, ConfigurableResource):
            value = resolve_env_vars(value, f"resource {key!r} (needed by {needed_by})")
            try:
                value.setup_for_execution(self._init_context())
            except Exception as exc:
                error = ResourceError(
                    f"resource {key!r} ({type(value).__name__}) failed in setup_for_execution, "
                    f"needed by {needed_by}: {type(exc).__name__}: {exc}. Assets that do not "
                    "need it still run; fix the resource's configuration or setup code."
                )
                error.__cause__ = exc
                self._failed[key] = error
                raise error from exc
            self._set_up.append((key, value))
        self._built[key] = value
        return value

    def _build_io_manager(
        self, key: str, definition: IOManagerDefinition, given: Any, needed_by: str
    ) -> IOManager:
        """Call an ``@io_manager`` function once per run, its resources built first."""
        config = definition.resolve_config(given, key)
        resources = self.get_many(definition.required_resource_keys, f"IO manager {key!r}")
        context = InitResourceContext(resources, self._log, self._run_id, config)
        try:
            built = definition.resource_fn(context)
        except Exception as exc:
            error = ResourceError(
                f"IO manager {key!r} ({definition!r}) failed to build, needed by {needed_by}: "
                f"{type(exc).__name__}: {exc}. Fix the @io_manager function or its config."
            )
            self._failed[key] = error
            raise error from exc
        if not isinstance(built, IOManager):
            raise ResourceError(
                f"IO manager {key!r} ({definition!r}) returned {type(built).__name__}, not an "
                "IOManager; return an instance of an IOManager subclass."
            )
        return built

    def get_many(self, keys: frozenset[str] | set[str], needed_by: str) -> dict[str, Any]:
        return {key: self.get(key, needed_by) for key in keys}

    def _init_context(self) -> InitResourceContext:
        return InitResourceContext(self._built, self._log, self._run_id)

    def teardown(self) -> list[ResourceError]:
        """Tear down in reverse set-up order; a failing teardown does not skip the others.
        Returns the failures, each naming its resource."""
        errors: list[ResourceError] = []
        while self._set_up:
            key, resource = self._set_up.pop()
            try:
                resource.teardown_after_execution(self._init_context())
            except Exception as exc:  # reported after every resource had its turn
                error = ResourceError(
                    f"resource {key!r} ({type(resource).__name__}) failed in "
                    f"teardown_after_execution: {type(exc).__name__}: {exc}. What the run "
                    "materialized is kept; fix the resource's teardown code."
                )
                error.__cause__ = exc
                self._log.error("%s", error)
                errors.append(error)
        self._built.clear()
        return errors

    def __enter__(self) -> ResourceScope:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Tear down; a teardown failure is raised unless another error is already on its way
        (then it is only logged)."""
        errors = self.teardown()
        if errors and exc is None:
            raise errors[0]
