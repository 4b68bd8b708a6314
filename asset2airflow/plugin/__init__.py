"""The Airflow plugin: asset lineage, asset pages with partition status, and asset checks inside
Airflow 3's UI, read from Airflow's metadata DB. Registered through the ``airflow.plugins``
entry point (and ``plugins/asset2airflow_plugin.py`` for deployments using the plugins folder).

Airflow loads plugin classes in every process (scheduler, workers, ...), so importing this
module is cheap: the FastAPI app is built on the first request to the api-server
(``LazyApp``).
"""

from __future__ import annotations

import threading
from typing import Any

from airflow.plugins_manager import AirflowPlugin

from asset2airflow.plugin.views import EXTERNAL_VIEWS, URL_PREFIX

__all__ = ["Asset2AirflowPlugin", "LazyApp"]


class LazyApp:
    """An ASGI app that builds the plugin's FastAPI app (``plugin.app.create_app``) on first
    use."""

    def __init__(self) -> None:
        self._app: Any = None
        self._lock = threading.Lock()

    @property
    def app(self) -> Any:
        if self._app is None:
            with self._lock:
                if self._app is None:
                    from asset2airflow.plugin.app import create_app

                    self._app = create_app()
        return self._app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.app(scope, receive, send)


class Asset2AirflowPlugin(AirflowPlugin):
    name = "asset2airflow"
    fastapi_apps = [{"app": LazyApp(), "url_prefix": URL_PREFIX, "name": "asset2airflow"}]
    external_views = EXTERNAL_VIEWS
