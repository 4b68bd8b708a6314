"""Resources: configurable objects injected into assets and built once per run (or task), the
context they are set up with, and ``context.resources``."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, PrivateAttr

from asset2airflow.authoring.config import EnvVar


class Resources:
    """Attribute access to resources by key (``context.resources.source``)."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        self._values = dict(values)

    def __getattr__(self, key: str) -> Any:
        try:
            return self._values[key]
        except KeyError:
            raise AttributeError(
                f"no resource {key!r} is available here; available: {sorted(self._values)}. "
                "Declare it with required_resource_keys or a resource-annotated parameter."
            ) from None

    def __contains__(self, key: str) -> bool:
        return key in self._values

    def original_dict(self) -> dict[str, Any]:
        return dict(self._values)


class InitResourceContext:
    """Passed to ``setup_for_execution``/``teardown_after_execution`` and to ``@io_manager``
    functions (``resource_config``: the IO manager's config)."""

    def __init__(
        self,
        resources: Mapping[str, Any],
        log: logging.Logger,
        run_id: str,
        resource_config: Mapping[str, Any] | None = None,
    ) -> None:
        self.resources = Resources(resources)
        self.log = log
        self.run_id = run_id
        self.resource_config = dict(resource_config or {})


class ConfigurableResource(BaseModel):
    """A resource declared as a pydantic model, as in Dagster.

    Fields may hold ``EnvVar("NAME")``; those are read when the resource is built for execution
    (in the Airflow worker, never at parse time). Override ``setup_for_execution`` and
    ``teardown_after_execution`` to open and close clients; keep such state in ``PrivateAttr``.
    An asset receives the resource through a parameter annotated with the class, whose name is
    the resource key (``def raw_sales(source: SalesSource)`` needs ``resources={"source": ...}``).
    """

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)
    _env_vars: dict[str, EnvVar] = PrivateAttr(default_factory=dict)

    def __init__(self, **data: Any) -> None:
        # pydantic turns an EnvVar into a plain str; remember which fields were EnvVars so they
        # are read when the resource is built for execution, not now.
        super().__init__(**data)
        self._env_vars = {k: v for k, v in data.items() if isinstance(v, EnvVar)}

    def env_var_for(self, field_name: str) -> EnvVar | None:
        """The ``EnvVar`` a field was given, if any (its value is read only at execution)."""
        return self._env_vars.get(field_name)

    def setup_for_execution(self, context: InitResourceContext) -> None:
        """Called once before the first asset that needs the resource runs."""

    def teardown_after_execution(self, context: InitResourceContext) -> None:
        """Called once after the run (or Airflow task), also when it failed."""

    def get_resource_definition_name(self) -> str:
        return type(self).__name__


T = TypeVar("T")

ResourceParam = Annotated[T, "resource_param"]
"""``def my_asset(client: ResourceParam[Client])``: the resource ``client`` is passed in, whatever
its type (a plain object, a ``@resource``), as in Dagster."""


def is_resource_class(annotation: Any) -> bool:
    """Whether a parameter annotation asks for a resource to be injected: a
    ``ConfigurableResource`` subclass, or ``ResourceParam[...]``."""
    if "resource_param" in getattr(annotation, "__metadata__", ()):
        return True
    return isinstance(annotation, type) and issubclass(annotation, ConfigurableResource)
