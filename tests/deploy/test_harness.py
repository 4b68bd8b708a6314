"""The deploy harness itself: a component that dies while starting fails at once with the error
from its log, and whatever was started is stopped and removed, also when starting fails."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import psutil
import pytest

from asset2airflow.testing.standalone import AirflowStartError
from tests.harness.deploy import AirflowDeployment, Postgres, Service, wait_until

BROKEN = (
    "import sys\n"
    "print('Traceback (most recent call last):')\n"
    "print('ValueError: bad broker url')\n"
    "sys.exit(3)\n"
)


def nothing_listens(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    except ConnectionRefusedError:
        return True
    return False


def test_a_service_that_exits_fails_the_wait_with_its_error(tmp_path: Path) -> None:
    service = Service("broken", [sys.executable, "-c", BROKEN], tmp_path / "broken.log")
    service.start()
    with pytest.raises(AirflowStartError) as error:
        wait_until(lambda: False, [service], timeout=60, what="never")
    assert "broken exited with code 3" in str(error.value)
    assert "ValueError: bad broker url" in str(error.value)


def test_a_worker_records_its_own_name_as_hostname_from_any_working_directory(
    tmp_path: Path,
) -> None:
    """The harness lives in this repository, not in the package: a worker (and its task
    processes) must still import ``worker_hostname`` from its own working directory."""
    airflow = AirflowDeployment(tmp_path, tmp_path / "dags")
    airflow.env = airflow.component_env()
    elsewhere = tmp_path / "cwd" / "worker-7"
    elsewhere.mkdir(parents=True)
    code = "from airflow.sdk.api.client import get_hostname; print(get_hostname())"
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=elsewhere,
        env=airflow.worker_env("worker-7"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "worker-7"


@pytest.mark.deploy
def test_postgres_is_reachable_then_removed(tmp_path: Path) -> None:
    postgres = Postgres(tmp_path / "pg.log", databases=("warehouse",))
    try:
        postgres.start()
        assert postgres.execute("SELECT current_database()", "warehouse") == [("warehouse",)]
        root, pids = postgres.root, postgres.service.pids() if postgres.service else set()
        assert pids
    finally:
        postgres.stop()
    assert root is not None and not root.exists()
    assert not any(psutil.pid_exists(pid) for pid in pids)
    assert nothing_listens(postgres.port)


@pytest.mark.deploy
def test_a_component_failing_to_start_stops_everything(tmp_path: Path) -> None:
    airflow = AirflowDeployment(
        tmp_path, tmp_path / "dags", extra_env={"AIRFLOW__CORE__EXECUTOR": "NoSuchExecutor"}
    )
    with pytest.raises(AirflowStartError) as error:
        airflow.start(timeout=120)
    assert "NoSuchExecutor" in str(error.value)
    assert airflow.services == {}
    assert airflow.postgres.root is not None and not airflow.postgres.root.exists()
    assert nothing_listens(airflow.postgres.port) and nothing_listens(airflow.redis.port)
