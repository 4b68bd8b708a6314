"""docker/ agrees with the topology the deploy tier runs for real (no Docker engine here to run
the compose file itself): the same executor, shared secrets and storage home on every Airflow
service, the image on the pinned Airflow, and every variable the compose file needs in
``.env.example``."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from tests.harness.deploy import SHARED_SECRETS

DOCKER = Path(__file__).resolve().parents[2] / "docker"
AIRFLOW_SERVICES = (
    "airflow-init",
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-triggerer",
    "airflow-worker",
)


def compose() -> dict[str, Any]:
    return dict(yaml.safe_load((DOCKER / "docker-compose.yaml").read_text()))


def test_every_airflow_service_shares_executor_secrets_and_storage() -> None:
    services = compose()["services"]
    assert {"postgres", "redis", *AIRFLOW_SERVICES} <= set(services)
    commands = {name: services[name]["command"] for name in AIRFLOW_SERVICES}
    assert commands["airflow-worker"] == "celery worker"
    assert services["airflow-worker"]["deploy"]["replicas"] == 2
    for name in AIRFLOW_SERVICES:
        service = services[name]
        env = service["environment"]
        assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor", name
        assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith("postgresql+psycopg2://")
        assert env["AIRFLOW__CELERY__BROKER_URL"].startswith("redis://redis:")
        assert all(env[secret].startswith("${") for secret in SHARED_SECRETS), name
        assert env["ASSET2AIRFLOW_HOME"] == "/opt/asset2airflow-home", name
        volumes = service["volumes"]
        assert "asset2airflow-home:/opt/asset2airflow-home" in volumes, name
        assert {"../dags:/opt/airflow/dags", "../plugins:/opt/airflow/plugins"} <= set(volumes)
        assert service["build"]["dockerfile"] == "docker/Dockerfile"


def test_image_is_the_official_one_on_the_pinned_airflow() -> None:
    dockerfile = (DOCKER / "Dockerfile").read_text()
    pyproject = (DOCKER.parent / "pyproject.toml").read_text()
    [version] = re.findall(r'"apache-airflow==([^"]+)"', pyproject)
    assert f"ARG AIRFLOW_VERSION={version}\n" in dockerfile
    assert "FROM apache/airflow:${AIRFLOW_VERSION}\n" in dockerfile
    assert '"apache-airflow==${AIRFLOW_VERSION}"' in dockerfile
    assert "[openlineage,deploy]" in dockerfile
    assert re.search(r'^openlineage = \["apache-airflow-providers-openlineage==', pyproject, re.M)
    assert re.search(r'^deploy = \[\n +"apache-airflow-providers-celery==', pyproject, re.M)


def test_env_example_defines_every_variable_the_compose_file_needs() -> None:
    text = (DOCKER / "docker-compose.yaml").read_text()
    needed = set(re.findall(r"(?<!\$)\$\{(\w+)\}", text))  # no default given: must be set
    example = (DOCKER / ".env.example").read_text()
    defined = set(re.findall(r"^(\w+)=", example, re.M))
    assert needed <= defined, needed - defined
    assert (DOCKER / "postgres-init.sql").read_text().count("CREATE DATABASE warehouse") == 1
