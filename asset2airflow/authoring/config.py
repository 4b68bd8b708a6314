"""Run configuration: ``Config`` schemas, ``RunConfig`` and ``EnvVar``."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict

from asset2airflow.errors import EnvVarNotSetError


class Config(BaseModel):
    """Typed config for an asset: declare fields, annotate a ``config`` parameter with the class.

    Values come from run config (``{"ops": {"asset_name": {"config": {...}}}}``) or, in Airflow,
    from the DAG trigger form whose fields are generated from this schema.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)


class EnvVar(str):
    """A value read from an environment variable when the resource is built for a run.

    It is a ``str`` so it fits any string field; it is never read at definition or DAG-parse
    time, so secrets stay out of parsing.
    """

    @property
    def env_var_name(self) -> str:
        return str.__str__(self)

    def get_value(self, default: str | None = None) -> str | None:
        return os.environ.get(self.env_var_name, default)

    def resolve(self, owner: str) -> str:
        """The variable's value; raises naming the variable and ``owner`` when unset."""
        value = os.environ.get(self.env_var_name)
        if value is None:
            raise EnvVarNotSetError(
                f"environment variable {self.env_var_name!r} used by {owner} is not set: set it "
                "in the environment of the process that runs the asset (the Airflow worker when "
                "running in Airflow)."
            )
        return value

    def __repr__(self) -> str:
        return f"EnvVar({self.env_var_name!r})"


class RunConfig:
    """Run config in object form: ``RunConfig(ops={"asset": MyConfig(x=1)})``."""

    def __init__(
        self,
        ops: Mapping[str, Config | Mapping[str, Any]] | None = None,
        resources: Mapping[str, Any] | None = None,
    ) -> None:
        self.ops = dict(ops or {})
        self.resources = dict(resources or {})

    def to_config_dict(self) -> dict[str, Any]:
        ops: dict[str, Any] = {}
        for name, cfg in self.ops.items():
            ops[name] = {"config": cfg.model_dump() if isinstance(cfg, Config) else dict(cfg)}
        result: dict[str, Any] = {"ops": ops}
        if self.resources:
            result["resources"] = self.resources
        return result


def run_config_dict(run_config: RunConfig | Mapping[str, Any] | None) -> dict[str, Any]:
    """Either form of run config, as the plain dict shape."""
    if run_config is None:
        return {}
    if isinstance(run_config, RunConfig):
        return run_config.to_config_dict()
    return dict(run_config)


def check_default_config(config_type: type[Config], given: Any, what: str) -> None:
    """A job's default config ``given`` for ``what`` (an op or asset) has fields of the right
    types; required fields may still be missing (they can come at run time)."""
    from pydantic import ValidationError

    from asset2airflow.errors import ConfigError

    try:
        config_type.model_validate(dict(given))
    except ValidationError as exc:
        if any(e["type"] != "missing" for e in exc.errors()):
            raise ConfigError(f"config of {what} is invalid: {exc}") from exc
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"config of {what} is not a dict of its fields") from exc
