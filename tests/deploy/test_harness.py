"""The deploy harness itself: a component that dies while starting fails at once with the error
from its log, and whatever was started is stopped and removed, also when starting fails."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

import psutil
import pytest

from asset2airflow.testing.deploy import AirflowDeployment, Postgres, Service, wait_until
from asset2airflow.testing.standalone import AirflowStartError

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
