"""The benchmark graph, buildable with asset2airflow or with Dagster (same shape, same code).

A binary tree of N assets: asset i depends on asset (i - 1) // 2. Each asset adds one to its
parent's value, so the cost measured is the framework's, not the user code's.
"""

from __future__ import annotations

from typing import Any


def build_tree(api: Any, n: int) -> list[Any]:
    """``api`` is the ``asset2airflow`` or ``dagster`` module: both have ``asset``/``AssetIn``."""

    def root() -> int:
        return 0

    def child(parent: int) -> int:
        return parent + 1

    assets = [api.asset(name="a0")(root)]
    for i in range(1, n):
        parent = f"a{(i - 1) // 2}"
        assets.append(api.asset(name=f"a{i}", ins={"parent": api.AssetIn(parent)})(child))
    return assets


def plain_python_seconds(n: int) -> float:
    """The same work with no framework: call each function in order."""
    import time

    started = time.perf_counter()
    values = [0] * n
    for i in range(1, n):
        values[i] = values[(i - 1) // 2] + 1
    return time.perf_counter() - started
