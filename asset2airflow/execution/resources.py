"""Building resources for one run (or one Airflow task): resolve ``EnvVar`` fields, apply run
config, call ``setup_for_execution`` (or a ``@resource`` function) once, and tear everything down
at the end, failed or not: ``teardown_after_execution``, or the code after a generator resource's
``yield`` (a ``@contextmanager`` resource's exit).

Resources are built lazily, on first use, so a task builds only what its asset needs.
"""

from __future__ import annotations

import contextlib
import inspect
import logging
from collections.abc import Callable, Iterator, Mapping
from types import TracebackType
from typing import Any

from asset2airflow.authoring.io_manager import IOManager, IOManagerDefinition
from asset2airflow.authoring.resource_definitions import ResourceDefinition
from asset2airflow.authoring.resources import ConfigurableResource, InitResourceContext, Resources
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


class _Teardown:
    """One resource's teardown, run when the scope closes (in reverse set-up order)."""

    def __init__(self, key: str, label: str, what: str, run: Callable[[], None]) -> None:
        self.key = key
        self.label = label
        self.what = what
        self.run = run


def _enter(result: Any) -> tuple[Any, Callable[[], None] | None]:
    """A resource function's result as (resource, teardown): a generator yields the resource
    once and finishes at teardown; a ``@contextmanager`` object is entered and exited; anything
    else is the resource itself."""
    if isinstance(result, contextlib.ContextDecorator) and hasattr(result, "__enter__"):
        manager: Any = result
        return manager.__enter__(), lambda: manager.__exit__(None, None, None)
    if inspect.isgenerator(result):
        generator: Iterator[Any] = result
        try:
            value = next(generator)
        except StopIteration:
            raise ResourceError("the resource generator must yield the resource once") from None

        def finish() -> None:
            for _extra in generator:
                raise ResourceError("the resource generator must yield only once")

        return value, finish
    return result, None


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
        self._teardowns: list[_Teardown] = []
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
        if isinstance(definition, ResourceDefinition):
            value = self._build_from_function(key, definition, given, needed_by)
            self._built[key] = value
            return value
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
            resource = value
            self._teardowns.append(
                _Teardown(
                    key,
                    type(value).__name__,
                    "teardown_after_execution",
                    lambda: resource.teardown_after_execution(self._init_context()),
                )
            )
        self._built[key] = value
        return value

    def _build_from_function(
        self, key: str, definition: ResourceDefinition, given: Any, needed_by: str
    ) -> Any:
        """Call a ``@resource``/``@io_manager`` function once per run, its own resources built
        first; a generator's (or context manager's) teardown runs when the scope closes."""
        kind = "IO manager" if isinstance(definition, IOManagerDefinition) else "resource"
        config = definition.resolve_config(given, key)
        resources = self.get_many(definition.required_resource_keys, f"{kind} {key!r}")
        context = InitResourceContext(resources, self._log, self._run_id, config)
        try:
            value, teardown = _enter(definition.call(context))
        except Exception as exc:
            error = ResourceError(
                f"{kind} {key!r} ({definition!r}) failed to build, needed by {needed_by}: "
                f"{type(exc).__name__}: {exc}. Assets that do not need it still run; fix the "
                "resource function or its config."
            )
            error.__cause__ = exc
            self._failed[key] = error
            raise error from exc
        if teardown is not None:
            self._teardowns.append(
                _Teardown(key, repr(definition), "the code after its yield", teardown)
            )
        if isinstance(definition, IOManagerDefinition) and not isinstance(value, IOManager):
            raise ResourceError(
                f"IO manager {key!r} ({definition!r}) returned {type(value).__name__}, not an "
                "IOManager; return an instance of an IOManager subclass."
            )
        return value

    def get_many(self, keys: frozenset[str] | set[str], needed_by: str) -> dict[str, Any]:
        return {key: self.get(key, needed_by) for key in keys}

    def _init_context(self) -> InitResourceContext:
        return InitResourceContext(self._built, self._log, self._run_id)

    def teardown(self) -> list[ResourceError]:
        """Tear down in reverse set-up order; a failing teardown does not skip the others.
        Returns the failures, each naming its resource."""
        errors: list[ResourceError] = []
        while self._teardowns:
            teardown = self._teardowns.pop()
            try:
                teardown.run()
            except Exception as exc:  # reported after every resource had its turn
                error = ResourceError(
                    f"resource {teardown.key!r} ({teardown.label}) failed in {teardown.what}: "
                    f"{type(exc).__name__}: {exc}. What the run materialized is kept; fix the "
                    "resource's teardown code."
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


@contextlib.contextmanager
def build_resources(
    resources: Mapping[str, Any],
    instance: Any = None,
    resource_config: Mapping[str, Any] | None = None,
) -> Iterator[Resources]:
    """Dagster's ``build_resources``: build every resource in ``resources`` (instances,
    ``@resource`` definitions or plain values), with ``resource_config`` shaped like run config's
    ``resources`` section (``{key: {"config": {...}}}``); yields them with attribute access and
    tears them down (generator resources included) on exit. ``instance`` is accepted and unused:
    resources here read no Dagster instance."""
    del instance
    with ResourceScope(resources, "ephemeral", resource_config) as scope:
        yield Resources({key: scope.get(key, "build_resources") for key in sorted(resources)})
