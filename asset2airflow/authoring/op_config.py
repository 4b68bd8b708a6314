"""An op's ``config_schema`` as a typed ``Config`` model, so run config is validated (before
anything runs) and becomes typed Airflow params exactly like an asset's ``Config`` class.

``config_schema`` maps each field to a type (a required field: ``{"limit": int}``), to a
default value (an optional field whose type is the value's: ``{"limit": 10}``), or to a nested
dict of the same shape (a nested object). Dagster's ``Field``/``Shape`` objects are not built.
"""

from __future__ import annotations

import keyword
import typing
from collections.abc import Mapping
from typing import Any

from pydantic import create_model

from asset2airflow.authoring.config import Config
from asset2airflow.errors import DefinitionError


def _is_type(value: Any) -> bool:
    return isinstance(value, type) or typing.get_origin(value) is not None or value is Any


def config_model(schema: Mapping[str, Any], model_name: str, what: str) -> type[Config]:
    """A frozen ``Config`` subclass with one field per ``schema`` entry (see the module doc)."""
    if not isinstance(schema, Mapping):
        raise DefinitionError(
            f"{what}: config_schema={schema!r} is not built; pass a dict mapping each field to "
            "a type or a default value (e.g. {'limit': int, 'region': 'eu'}), or annotate a "
            "`config: MyConfig` parameter with a Config subclass."
        )
    fields: dict[str, Any] = {}
    for name, entry in schema.items():
        if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
            raise DefinitionError(
                f"{what}: config_schema field {name!r} is not a valid field name; use letters, "
                "digits and underscores."
            )
        if isinstance(entry, Mapping):
            nested = config_model(entry, f"{model_name}_{name}", f"{what} (field {name!r})")
            fields[name] = (nested, nested()) if _all_optional(nested) else (nested, ...)
        elif _is_type(entry):
            fields[name] = (entry, ...)
        else:
            fields[name] = (type(entry), entry)
    model: type[Config] = create_model(
        model_name,
        __base__=Config,
        __module__=__name__,
        **fields,
    )
    return model


def graph_config_field(step_name: str) -> str:
    """The field of a graph asset's config holding inner op ``step_name``'s config (its node
    path, ``outer.inner`` -> ``outer__inner``)."""
    return step_name.replace(".", "__")


def _all_optional(model: type[Config]) -> bool:
    return all(not f.is_required() for f in model.model_fields.values())


def default_instance(model: type[Config]) -> Config | None:
    """``model()`` when every field has a default, else ``None`` (config is then required)."""
    return model() if _all_optional(model) else None
