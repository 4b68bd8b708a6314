"""Generated dags-folder files for ``bench/parse.py``: one graph, three ways to write it.

Shapes: ``tree`` (asset i depends on asset (i - 1) // 2) and ``fanout`` (every asset depends on
the root). Every 10th asset has a check (asset2airflow only: the others have no checks).
"""

from __future__ import annotations


def parent_expr(shape: str) -> str:
    return "(i - 1) // 2" if shape == "tree" else "0"


def ours(n: int, shape: str) -> str:
    return f'''# airflow dag: asset2airflow
from asset2airflow import (AssetCheckResult, AssetIn, Definitions, InMemoryIOManager, asset,
                           asset_check)
from asset2airflow.airflow import build_dags


def root():
    return 0


def child(parent):
    return parent + 1


def check(value):
    return AssetCheckResult(passed=True)


assets = [asset(name="a0")(root)]
for i in range(1, {n}):
    parent = AssetIn(f"a{{{parent_expr(shape)}}}")
    assets.append(asset(name=f"a{{i}}", ins={{"parent": parent}})(child))
checks = [asset_check(asset=f"a{{i}}", name=f"check_{{i}}")(check) for i in range(0, {n}, 10)]
build_dags(Definitions(assets=assets, asset_checks=checks,
                       resources={{"io_manager": InMemoryIOManager()}}))
'''


def hand_written(n: int, shape: str) -> str:
    return f'''# airflow dag: the same graph as plain Airflow @task functions with the same outlets
from airflow.sdk import DAG, Asset, task

with DAG(dag_id="hand_written", schedule=None):
    tasks = []
    for i in range({n}):
        @task(task_id=f"a{{i}}", outlets=[Asset(name=f"a{{i}}", uri=f"asset2airflow://a{{i}}")])
        def materialize():
            return None

        current = materialize()
        if i:
            tasks[{parent_expr(shape)}] >> current
        tasks.append(current)
'''


def airflow_asset(n: int, shape: str) -> str:
    return f'''# airflow dag: Airflow's own @asset, one DAG per asset
from airflow.sdk import Asset, asset


def materialize():
    return None


for i in range({n}):
    schedule = [Asset.ref(name=f"a{{{parent_expr(shape)}}}")] if i else None
    asset(name=f"a{{i}}", schedule=schedule, dag_id=f"asset_a{{i}}")(materialize)
'''


WRITERS = {
    "asset2airflow": ours,
    "hand-written @task": hand_written,
    "airflow @asset": airflow_asset,
}
