"""The plugin's FastAPI app, mounted by Airflow's api-server under ``URL_PREFIX``: HTML pages
(lineage, asset, checks, a DAG's assets) that draw from the JSON API next to them, and the
static files both use. Read-only; every route goes through Airflow's auth (``security``).

Routes (relative to ``/asset2airflow``)::

    GET /                                   -> redirect to lineage
    GET /lineage, /checks                   pages
    GET /assets/{asset_id}                  page
    GET /dags/{dag_id}/assets               page (the DAG's "Assets" tab)
    GET /static/{name}                      the pages' JS and CSS
    GET /api/lineage                        graph, layout and states
    GET /api/checks?state=&severity=&group= checks with their latest result
    GET /api/assets/{asset_id}              definition, state, checks, failures
    GET /api/assets/{asset_id}/materializations?limit=&before=
    GET /api/assets/{asset_id}/checks/{check_name}?limit=
    GET /api/assets/{asset_id}/partitions
    GET /api/assets/{asset_id}/partitions/detail?key=
    GET /api/dags/{dag_id}/assets
"""

from __future__ import annotations

from importlib import resources
from typing import Annotated, Any

from airflow.api_fastapi.common.db.common import SessionDep
from fastapi import FastAPI, HTTPException, Query, Request
from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse, Response

from asset2airflow.plugin import assets as asset_api
from asset2airflow.plugin.catalog import AssetNode, Catalog, load_catalog
from asset2airflow.plugin.checks import checks_overview
from asset2airflow.plugin.lineage import lineage
from asset2airflow.plugin.pages import page
from asset2airflow.plugin.partitions import partition_detail, partition_status
from asset2airflow.plugin.runs import Visibility
from asset2airflow.plugin.security import (
    asset_access,
    authenticated,
    dag_access,
    visibility_dependency,
)
from asset2airflow.plugin.serialize import collection_paused, json_response

STATIC_FILES = frozenset(
    {"common.js", "lineage.js", "asset.js", "grid.js", "checks.js", "dag.js", "plugin.css"}
)
_MEDIA = {".js": "text/javascript", ".css": "text/css"}
Vis = Annotated[Visibility, visibility_dependency()]


def create_app() -> FastAPI:
    app = FastAPI(
        title="asset2airflow",
        dependencies=[authenticated()],
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )

    def catalog(session: Session) -> Catalog:
        return load_catalog(session)

    def node_of(found: Catalog, asset_id: int) -> AssetNode:
        node = found.assets.get(asset_id)
        if node is None:
            raise HTTPException(404, f"asset {asset_id} is not an active asset")
        return node

    # --- pages ---------------------------------------------------------------------------

    @app.get("/", dependencies=[asset_access()])
    def index(request: Request) -> Response:
        return RedirectResponse(f"{request.scope.get('root_path', '')}/lineage")

    @app.get("/lineage", dependencies=[asset_access()])
    def lineage_page(request: Request) -> Response:
        return page(request, "Asset lineage", "lineage.js")

    @app.get("/checks", dependencies=[asset_access()])
    def checks_page(request: Request) -> Response:
        return page(request, "Asset checks", "checks.js")

    @app.get("/assets/{asset_id}", dependencies=[asset_access()])
    def asset_page(request: Request, asset_id: int) -> Response:
        return page(request, "Asset", "asset.js", {"asset-id": str(asset_id)}, ["grid.js"])

    @app.get("/dags/{dag_id}/assets", dependencies=[asset_access(), dag_access()])
    def dag_page(request: Request, dag_id: str) -> Response:
        return page(request, f"Assets of {dag_id}", "dag.js", {"dag-id": dag_id})

    @app.get("/static/{name}")
    def static(name: str) -> Response:
        if name not in STATIC_FILES:
            raise HTTPException(404, "not found")
        body = (resources.files("asset2airflow.plugin") / "static" / name).read_bytes()
        media = _MEDIA[name[name.rindex(".") :]]
        return Response(body, media_type=media, headers={"Cache-Control": "private, max-age=300"})

    # --- JSON API ------------------------------------------------------------------------

    @app.get("/api/lineage", dependencies=[asset_access()])
    def lineage_api(session: SessionDep, visibility: Vis) -> Response:
        with collection_paused():
            return json_response(lineage(session, catalog(session), visibility))

    @app.get("/api/checks", dependencies=[asset_access()])
    def checks_api(
        session: SessionDep,
        visibility: Vis,
        state: str | None = None,
        severity: str | None = None,
        group: str | None = None,
    ) -> Response:
        with collection_paused():
            found = checks_overview(session, catalog(session), visibility, state, severity, group)
            return json_response(found)

    @app.get("/api/assets/{asset_id}", dependencies=[asset_access()])
    def asset_api_detail(asset_id: int, session: SessionDep, visibility: Vis) -> Response:
        with collection_paused():
            found = catalog(session)
            node = node_of(found, asset_id)
            return json_response(asset_api.asset_detail(session, found, node, visibility))

    @app.get("/api/assets/{asset_id}/materializations", dependencies=[asset_access()])
    def materializations_api(
        asset_id: int,
        session: SessionDep,
        visibility: Vis,
        limit: Annotated[int, Query(ge=1, le=asset_api.MAX_PAGE)] = 20,
        before: int | None = None,
    ) -> Response:
        node = node_of(catalog(session), asset_id)
        return json_response(asset_api.materializations(session, node, visibility, limit, before))

    @app.get("/api/assets/{asset_id}/checks/{check_name}", dependencies=[asset_access()])
    def check_history_api(
        asset_id: int,
        check_name: str,
        session: SessionDep,
        visibility: Vis,
        limit: Annotated[int, Query(ge=1, le=asset_api.MAX_PAGE)] = 50,
    ) -> Response:
        node = node_of(catalog(session), asset_id)
        return json_response(asset_api.check_history(session, node, check_name, visibility, limit))

    @app.get("/api/assets/{asset_id}/partitions", dependencies=[asset_access()])
    def partitions_api(asset_id: int, session: SessionDep, visibility: Vis) -> Response:
        found = catalog(session)
        return json_response(partition_status(session, found, node_of(found, asset_id), visibility))

    @app.get("/api/assets/{asset_id}/partitions/detail", dependencies=[asset_access()])
    def partition_detail_api(
        asset_id: int, key: str, session: SessionDep, visibility: Vis
    ) -> Response:
        node = node_of(catalog(session), asset_id)
        return json_response(partition_detail(session, node, key, visibility))

    @app.get("/api/dags/{dag_id}/assets", dependencies=[asset_access(), dag_access()])
    def dag_assets_api(dag_id: str, session: SessionDep, visibility: Vis) -> Response:
        with collection_paused():
            found = catalog(session)
            return json_response(asset_api.dag_assets(session, found, dag_id, visibility))

    return app


def route_table(app: FastAPI) -> list[tuple[str, frozenset[str]]]:
    """(path, methods) of every route: what the security tests walk."""
    table = []
    for route in app.routes:
        methods: Any = getattr(route, "methods", None) or {"GET"}
        table.append((str(getattr(route, "path", "")), frozenset(methods)))
    return table
