"""DAG and task ids: where assets in no job go, and the limits Airflow would otherwise enforce
later with a bare ``ValueError`` (no Airflow imports).

Airflow's DAG processor parses each dags-folder file on its own, so ids must not depend on what
other files contain. Ungrouped assets (group ``default``) therefore go to a DAG named after the
module that defines them: ``<module path relative to the dags folder, dotted>.default``, e.g.
``orders.default`` for ``dags/orders.py`` and ``team_a.orders.default`` for
``dags/team_a/orders.py`` (outside the dags folder: the file name). Group and job names cannot
contain a dot, so such an id never collides with a group or job DAG of another file.
"""

from __future__ import annotations

import configparser
import os
import re
from pathlib import Path

from asset2airflow.authoring.specs import DEFAULT_GROUP
from asset2airflow.errors import InvalidNameError

MAX_ID_LENGTH = 250
"""Airflow's limit for DAG and task ids (``airflow.models.base.ID_LEN``)."""

_AIRFLOW_KEY = re.compile(r"^[\w.-]+$")  # Airflow's KEY_REGEX
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


def ungrouped_dag_name(location: str, dags_folder: Path | None) -> str:
    """The DAG name of ungrouped assets defined at ``location`` (``file:line``)."""
    file = Path(location.rsplit(":", 1)[0]) if ":" in location else Path(location)
    parts: tuple[str, ...] = (file.stem,)
    if dags_folder is not None and file.is_absolute():
        try:
            relative = file.relative_to(dags_folder)
        except ValueError:
            pass
        else:
            parts = (*relative.parent.parts, relative.stem)
    module = ".".join(_UNSAFE.sub("_", part) or "_" for part in parts)
    return f"{module}.{DEFAULT_GROUP}"


def default_dags_folder() -> Path:
    """Airflow's dags folder, resolved in Airflow's order without importing Airflow (importing
    it writes a config file): ``$AIRFLOW__CORE__DAGS_FOLDER``, else ``[core] dags_folder`` of
    ``$AIRFLOW_HOME/airflow.cfg``, else ``$AIRFLOW_HOME/dags``."""
    home = Path(os.environ.get("AIRFLOW_HOME") or "~/airflow").expanduser()
    configured = os.environ.get("AIRFLOW__CORE__DAGS_FOLDER") or _configured_dags_folder(home)
    folder = Path(configured.replace("{AIRFLOW_HOME}", str(home))) if configured else home / "dags"
    return folder.expanduser().absolute()


def _configured_dags_folder(home: Path) -> str | None:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(home / "airflow.cfg")
    except configparser.Error:
        return None
    return parser.get("core", "dags_folder", fallback=None)


def check_airflow_id(value: str, what: str, fix: str) -> str:
    """``value`` if Airflow accepts it as a DAG/task id; else an error naming ``what``."""
    if len(value) > MAX_ID_LENGTH:
        raise InvalidNameError(
            f"{what} would be {len(value)} characters long ({value[:60]!r}...); Airflow allows at "
            f"most {MAX_ID_LENGTH}. {fix}"
        )
    if not _AIRFLOW_KEY.match(value):
        bad = sorted({c for c in value if not _AIRFLOW_KEY.match(c)})
        raise InvalidNameError(
            f"{what} would be {value!r}, which Airflow rejects: it contains {bad}; ids may only "
            f"hold letters, digits, '_', '.' and '-'. {fix}"
        )
    return value
