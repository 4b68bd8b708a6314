"""The graph of ``bench/e2e.py``, built as asset2airflow assets or as plain Airflow ``@task``s,
and the dags-folder files that build it (they import this module, so every variant runs exactly
the same graph and the same functions).

Shapes (asset ``i`` of ``n``; every asset returns an int computed from its inputs):

- ``chain``: asset i reads asset i - 1; the last asset (the sink) is ``n - 1``;
- ``tree``: a binary fan-in tree: asset i reads assets 2i + 1 and 2i + 2 (those < n), so half
  the assets are leaves that run in parallel and asset 0 (the sink) collects everything.

In both shapes the sink's value is ``n`` (each asset adds one to the sum of its inputs), which is
what ``e2e.py`` checks after each run so a broken run cannot look fast.

Nothing here imports asset2airflow or Airflow at module level: the hand-written DAG file must
not pay for importing asset2airflow, nor the asset DAG file for more of Airflow than
``build_dags`` itself imports.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

SHAPES = ("chain", "tree")
ARGUMENTS = ("left", "right")


def inputs(shape: str, n: int, i: int) -> list[int]:
    """The assets asset ``i`` reads, in argument order."""
    if shape == "chain":
        return [i - 1] if i else []
    if shape == "tree":
        return [c for c in (2 * i + 1, 2 * i + 2) if c < n]
    raise ValueError(f"unknown shape {shape!r}; choose from {', '.join(SHAPES)}")


def sink(shape: str, n: int) -> int:
    """The asset every other asset flows into; its value is ``n``."""
    return n - 1 if shape == "chain" else 0


def leaf() -> int:
    return 1


def one(left: int) -> int:
    return left + 1


def two(left: int, right: int) -> int:
    return left + right + 1


FUNCTIONS = (leaf, one, two)


def build_assets(shape: str, n: int, prefix: str, group: str | None = None) -> list[Any]:
    """``n`` asset2airflow assets named ``<prefix><i>`` in asset group ``group``."""
    from asset2airflow import AssetIn, asset

    assets = []
    for i in range(n):
        upstream = inputs(shape, n, i)
        ins = {arg: AssetIn(f"{prefix}{j}") for arg, j in zip(ARGUMENTS, upstream, strict=False)}
        function = FUNCTIONS[len(ins)]
        assets.append(asset(name=f"{prefix}{i}", group_name=group, ins=ins)(function))
    return assets


def build_definitions(
    shape: str, n: int, prefix: str, group: str, base_dir: str
) -> Any:
    """The assets with the filesystem IO manager writing under ``base_dir``."""
    from asset2airflow import Definitions, FilesystemIOManager

    return Definitions(
        assets=build_assets(shape, n, prefix, group),
        resources={"io_manager": FilesystemIOManager(base_dir=base_dir)},
    )


def build_hand_written_dag(shape: str, n: int, dag_id: str, prefix: str) -> Any:
    """The same graph as plain Airflow ``@task``s; values pass through XCom."""
    from airflow.sdk import DAG, task

    with DAG(dag_id=dag_id, schedule=None, catchup=False) as dag:
        outputs: dict[int, Any] = {}
        # Create upstream tasks first: in both shapes inputs of i are all > i or all < i.
        order = range(n) if shape == "chain" else range(n - 1, -1, -1)
        for i in order:
            upstream = [outputs[j] for j in inputs(shape, n, i)]
            function = FUNCTIONS[len(upstream)]
            outputs[i] = task(task_id=f"{prefix}{i}")(function)(*upstream)
    return dag


# --- dags-folder files ------------------------------------------------------------------------

HEADER = '''# airflow dag: bench/e2e.py {what}
import sys

sys.path.insert(0, {bench!r})

'''


def asset_module(
    shape: str, n: int, dag_id: str, prefix: str, base_dir: Path, execution: str | None
) -> str:
    """A dags-folder file: ``build_dags`` of the graph as asset group ``dag_id`` (so the DAG id
    is ``dag_id``); ``execution`` is passed to ``build_dags`` when given."""
    extra = f", execution={execution!r}" if execution else ""
    return HEADER.format(what=f"asset2airflow {dag_id}", bench=str(Path(__file__).parent)) + (
        "from _e2e_modules import build_definitions\n"
        "from asset2airflow.airflow import build_dags\n\n"
        f"build_dags(build_definitions({shape!r}, {n}, {prefix!r}, {dag_id!r}, "
        f"{str(base_dir)!r}){extra})\n"
    )


def hand_written_module(shape: str, n: int, dag_id: str, prefix: str) -> str:
    """A dags-folder file: the graph as plain Airflow ``@task``s in DAG ``dag_id``."""
    return HEADER.format(what=f"hand-written {dag_id}", bench=str(Path(__file__).parent)) + (
        "from _e2e_modules import build_hand_written_dag\n\n"
        f"dag = build_hand_written_dag({shape!r}, {n}, {dag_id!r}, {prefix!r})\n"
    )
