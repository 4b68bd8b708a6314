"""Name rules shared by every definition.

Names become Airflow task ids, DAG ids and Python identifiers, so they are held to the
intersection of what those accept: letters, digits and underscores (key path components may
also use ``-``).
"""

from __future__ import annotations

import re

from asset2airflow.errors import InvalidNameError

_NAME = re.compile(r"^[A-Za-z0-9_]+$")
_KEY_COMPONENT = re.compile(r"^[A-Za-z0-9_\-]+$")


def check_name(name: object, what: str, where: str = "") -> str:
    """Return ``name`` if it is a valid definition name, else raise naming ``what``."""
    if not isinstance(name, str) or not _NAME.match(name):
        location = f" ({where})" if where else ""
        raise InvalidNameError(
            f"{what} name {name!r}{location} is invalid: use only letters, digits and "
            "underscores, e.g. 'daily_sales_summary'."
        )
    return name


def check_key_component(component: object, key_repr: str) -> str:
    """Return one asset key path component if valid, else raise naming the key."""
    if not isinstance(component, str) or not _KEY_COMPONENT.match(component):
        raise InvalidNameError(
            f"asset key {key_repr} has an invalid component {component!r}: use only letters, "
            "digits, '_' and '-' in each part of a key (parts are separated by '/')."
        )
    return component
