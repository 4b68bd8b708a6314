"""Dagster's function-built resources: ``@resource``, ``ResourceDefinition`` (and its
``hardcoded_resource``/``mock_resource``/``none_resource``), ``make_values_resource``,
and ``build_init_resource_context``.

A resource function takes an ``InitResourceContext`` (or nothing) and returns the resource; a
generator function (or a ``@contextmanager``) yields it once, and the code after the ``yield`` is
its teardown, run when the run (the Airflow task) ends. Functions run when the resource is first
needed, in the worker, never at parse time (``execution/resources.py`` builds them).
"""

from __future__ import annotations

import copy
import inspect
import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any, overload

from pydantic import ValidationError

from asset2airflow.authoring.op_config import config_model
from asset2airflow.authoring.resources import InitResourceContext
from asset2airflow.errors import ConfigError, DefinitionError

ResourceFunction = Callable[..., Any]


class ResourceDefinition:
    """A resource built by ``resource_fn`` once per run (once per Airflow task).

    ``config_schema`` maps each config field to a type (required) or a default value, as an
    op's does; run config ``{"resources": {key: {"config": {...}}}}`` fills it in and the
    function reads it as ``init_context.resource_config``. Without a schema any config is
    passed through. ``required_resource_keys`` are built first and reach the function as
    ``init_context.resources``. Calling the definition with a context (a test) calls the function.
    """

    def __init__(
        self,
        resource_fn: ResourceFunction,
        config_schema: Mapping[str, Any] | None = None,
        description: str | None = None,
        required_resource_keys: Iterable[str] | None = None,
        version: str | None = None,
    ) -> None:
        if not callable(resource_fn):
            raise DefinitionError(f"ResourceDefinition needs a function, got {resource_fn!r}")
        if config_schema is not None and not isinstance(config_schema, Mapping):
            raise DefinitionError(
                f"resource {_name(resource_fn)!r}: config_schema={config_schema!r} is not built; "
                "pass a dict mapping each field to a type or a default value."
            )
        self.resource_fn = resource_fn
        self.config_schema = dict(config_schema or {})
        self.description = description
        self.required_resource_keys = frozenset(required_resource_keys or ())
        self.version = version
        self._configured: dict[str, Any] | None = None

    @staticmethod
    def hardcoded_resource(value: Any, description: str | None = None) -> ResourceDefinition:
        """A resource that is ``value`` itself."""
        return ResourceDefinition(lambda _init_context: value, description=description)

    @staticmethod
    def mock_resource(description: str | None = None) -> ResourceDefinition:
        """A ``unittest.mock.MagicMock`` (a new one per run), to stand in for a real resource."""
        from unittest import mock

        return ResourceDefinition(lambda _init_context: mock.MagicMock(), description=description)

    @staticmethod
    def none_resource(description: str | None = None) -> ResourceDefinition:
        """A resource whose value is ``None``."""
        return ResourceDefinition.hardcoded_resource(None, description)

    def configured(
        self, config_or_config_fn: Mapping[str, Any], description: str | None = None
    ) -> ResourceDefinition:
        """A copy whose config is fixed to ``config_or_config_fn`` (checked now); run config
        can no longer set it, as in Dagster. In Airflow a resource gets its config this way or
        from its job's ``config`` (a trigger's conf has no resource fields). A config function
        is not built."""
        if not isinstance(config_or_config_fn, Mapping):
            raise DefinitionError(
                f"{self!r}.configured({config_or_config_fn!r}): only a config dict is built; "
                "compute the dict yourself and pass it."
            )
        fixed = self.resolve_config(config_or_config_fn, _name(self.resource_fn))
        configured = copy.copy(self)
        configured._configured = fixed
        configured.description = description or self.description
        return configured

    def resolve_config(self, given: Mapping[str, Any] | None, key: str) -> dict[str, Any]:
        """The config the function sees: schema defaults, then ``given``, each field checked
        against its type; errors name ``key``."""
        given = dict(given or {})
        if self._configured is not None:
            if given:
                raise ConfigError(
                    f"run config sets resource {key!r}, whose config was fixed with "
                    ".configured(...); remove it from run config."
                )
            return dict(self._configured)
        if not self.config_schema:
            return given
        unknown = sorted(set(given) - set(self.config_schema))
        if unknown:
            raise ConfigError(
                f"run config for resource {key!r} sets {unknown}, which its config_schema "
                f"does not have; it has {sorted(self.config_schema)}."
            )
        model = config_model(self.config_schema, f"{key}_resource_config", f"resource {key!r}")
        fields = model.model_fields
        missing = sorted(k for k, f in fields.items() if f.is_required() and k not in given)
        if missing:
            raise ConfigError(
                f"resource {key!r} needs config {missing}; give it in run config "
                f"{{'resources': {{{key!r}: {{'config': {{...}}}}}}}}."
            )
        try:
            return model.model_validate(given).model_dump()
        except ValidationError as exc:
            raise ConfigError(f"run config for resource {key!r} is invalid: {exc}") from exc

    def call(self, context: InitResourceContext) -> Any:
        """The function's result: the resource, or a generator/context manager yielding it."""
        if takes_context(self.resource_fn):
            return self.resource_fn(context)
        return self.resource_fn()

    def __call__(self, context: InitResourceContext | None = None) -> Any:
        """Direct invocation in a test: ``my_resource(build_init_resource_context(config=...))``
        (the config is checked against the schema, as when the resource is built for a run)."""
        context = context or build_init_resource_context()
        config = self.resolve_config(context.resource_config, _name(self.resource_fn))
        context = InitResourceContext(
            context.resources.original_dict(), context.log, context.run_id, config
        )
        return self.call(context)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {_name(self.resource_fn)}>"


def takes_context(fn: Callable[..., Any]) -> bool:
    """Dagster calls a resource function with the init context only if it takes a parameter."""
    return bool(inspect.signature(fn).parameters)


def _name(fn: Callable[..., Any]) -> str:
    return getattr(fn, "__name__", "resource")


@overload
def resource(fn: ResourceFunction) -> ResourceDefinition: ...


@overload
def resource(
    fn: None = None,
    *,
    config_schema: Mapping[str, Any] | None = ...,
    description: str | None = ...,
    required_resource_keys: Iterable[str] | None = ...,
    version: str | None = ...,
) -> Callable[[ResourceFunction], ResourceDefinition]: ...


def resource(
    fn: ResourceFunction | None = None,
    *,
    config_schema: Mapping[str, Any] | None = None,
    description: str | None = None,
    required_resource_keys: Iterable[str] | None = None,
    version: str | None = None,
) -> ResourceDefinition | Callable[[ResourceFunction], ResourceDefinition]:
    """Dagster's ``@resource``: the function (of ``init_context``, or of nothing) returns the
    resource, or yields it once and tears it down after the ``yield``."""

    def decorate(function: ResourceFunction) -> ResourceDefinition:
        return ResourceDefinition(
            function,
            config_schema=config_schema,
            description=description or inspect.getdoc(function),
            required_resource_keys=required_resource_keys,
            version=version,
        )

    return decorate(fn) if fn is not None else decorate


def make_values_resource(**fields: Any) -> ResourceDefinition:
    """A resource whose value is its config (a dict): ``make_values_resource(limit=int)``
    requires an int ``limit``; with no fields it takes any config."""
    return ResourceDefinition(
        lambda init_context: init_context.resource_config, config_schema=fields or None
    )


def build_init_resource_context(
    config: Mapping[str, Any] | None = None,
    resources: Mapping[str, Any] | None = None,
    instance: Any = None,
) -> InitResourceContext:
    """The context to call a resource function with in a test (``resources`` are values)."""
    del instance  # resources here read no Dagster instance; accepted for Dagster's signature
    return InitResourceContext(
        dict(resources or {}), logging.getLogger("asset2airflow.resources"), "ephemeral", config
    )
