"""What every task of ours (asset steps and op steps) does the same way inside Airflow: who the
run is, the run's partition key, and how an engine error becomes an Airflow outcome."""

from __future__ import annotations

from typing import Any, NoReturn

from airflow.sdk.exceptions import AirflowFailException

from asset2airflow.airflow.params import RUN_TAGS_CONF
from asset2airflow.airflow.signals import airflow_signal
from asset2airflow.errors import Asset2AirflowError, FailureError


def run_identity(context: Any, dag_id: str, task_id: str) -> tuple[Any, str, dict[str, str]]:
    """(dag run, run id, run tags): the tags name the DAG, the run, its type and the task."""
    dag_run = context.get("dag_run")
    run_id = str(getattr(dag_run, "run_id", None) or context.get("run_id") or "airflow")
    requested = dict((getattr(dag_run, "conf", None) or {}).get(RUN_TAGS_CONF) or {})
    tags = {
        **{str(k): str(v) for k, v in requested.items()},  # a schedule's/sensor's RunRequest
        "airflow/dag_id": str(getattr(dag_run, "dag_id", dag_id)),
        "airflow/run_id": run_id,
        "airflow/run_type": str(getattr(dag_run, "run_type", "") or ""),
        "airflow/task_id": task_id,
    }
    return dag_run, run_id, tags


def requested_partition_key(run_key: str | None, param_key: str | None, param: str) -> str | None:
    """The run's partition key: Airflow's, or the trigger form's ``param``; both, differing,
    fail the task without retries (retrying cannot fix it)."""
    if run_key and param_key and run_key != param_key:
        raise AirflowFailException(
            f"the run has partition key {run_key!r} but its {param!r} param says "
            f"{param_key!r}; trigger it with one of them."
        )
    return run_key or param_key or None


def raise_in_airflow(error: Asset2AirflowError) -> NoReturn:
    """Raise ``error`` for Airflow: ``Failure(allow_retries=False)`` fails the task without its
    retries (``AirflowFailException``); anything else fails it normally (retries apply).
    Airflow's own skip/branch/reschedule/trigger exceptions raised by the code (or by an
    operator it runs) reach Airflow as raised (``signals``)."""
    signal = airflow_signal(error)
    if signal is not None:
        raise signal
    if isinstance(error, FailureError) and not error.allow_retries:
        raise AirflowFailException(f"{error} (allow_retries=False: not retried)") from error
    raise error
