"""Airflow's auth on every route of the plugin app. Airflow mounts plugin apps without any auth,
so each route declares Airflow's own dependencies (``airflow.api_fastapi.core_api.security``):

- every route: ``requires_authenticated()`` (a valid JWT in the ``Authorization`` header or
  Airflow's ``_token`` cookie, as the UI sends it), set once on the app;
- pages and API about assets: ``requires_access_asset("GET")`` (the ``asset_id`` path parameter
  names the asset when there is one);
- the DAG tab: ``requires_access_dag("GET")`` (``dag_id`` path parameter) as well;
- run data (events, task instances, check results) is filtered by the DAGs the auth manager
  lets the user read (``visibility``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends

from asset2airflow.plugin.runs import Visibility


def authenticated() -> Any:
    from airflow.api_fastapi.core_api.security import requires_authenticated

    return Depends(requires_authenticated())


def asset_access() -> Any:
    from airflow.api_fastapi.core_api.security import requires_access_asset

    return Depends(requires_access_asset("GET"))


def dag_access() -> Any:
    from airflow.api_fastapi.core_api.security import requires_access_dag

    return Depends(requires_access_dag("GET"))


def _visibility(user: Any) -> Visibility:
    from airflow.api_fastapi.app import get_auth_manager
    from airflow.models.dag import DagModel
    from airflow.utils.session import create_session
    from sqlalchemy import select

    readable = frozenset(get_auth_manager().get_authorized_dag_ids(user=user, method="GET"))
    with create_session(scoped=False) as session:
        every = set(session.scalars(select(DagModel.dag_id)))
    return Visibility(readable, unrestricted=every <= readable)


def _user_dependency() -> Any:
    from airflow.api_fastapi.core_api.security import get_user

    return get_user


def visibility_dependency() -> Any:
    """``Depends`` giving the ``Visibility`` of the request's user."""

    def dependency(user: Annotated[Any, Depends(_user_dependency())]) -> Visibility:
        return _visibility(user)

    return Depends(dependency)
