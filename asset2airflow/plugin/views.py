"""Where the plugin lives in Airflow's UI: its URL prefix and the external views (two entries
in the navigation, an "Assets" tab on every DAG page). Cheap to import: the plugin class is
loaded by every Airflow process, the app only by the api-server."""

from __future__ import annotations

from typing import Any

URL_PREFIX = "/asset2airflow"

EXTERNAL_VIEWS: list[dict[str, Any]] = [
    {
        "name": "Asset lineage",
        "href": f"{URL_PREFIX}/lineage",
        "destination": "nav",
        "category": "browse",
        "url_route": "asset-lineage",
    },
    {
        "name": "Asset checks",
        "href": f"{URL_PREFIX}/checks",
        "destination": "nav",
        "category": "browse",
        "url_route": "asset-checks",
    },
    {
        "name": "Assets",
        "href": f"{URL_PREFIX}/dags/{{DAG_ID}}/assets",
        "destination": "dag",
        "url_route": "asset2airflow-dag-assets",
    },
]
