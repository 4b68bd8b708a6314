"""The lineage layout: left to right along edges, groups as boxes that never overlap, wide
columns wrapped, cycles tolerated, and fast enough for 2,000 assets."""

from __future__ import annotations

import itertools
import time

from asset2airflow.plugin.layout import MAX_ROWS, Box, columns, layout


def overlap(a: Box, b: Box) -> bool:
    return a.x < b.x + b.w and b.x < a.x + a.w and a.y < b.y + b.h and b.y < a.y + a.h


def inside(inner: Box, outer: Box) -> bool:
    return (
        outer.x <= inner.x
        and inner.x + inner.w <= outer.x + outer.w
        and outer.y <= inner.y
        and inner.y + inner.h <= outer.y + outer.h
    )


def test_every_edge_points_right_and_nodes_sit_in_their_group() -> None:
    nodes = ["raw", "clean", "summary", "report", "other"]
    groups = {"raw": "sales", "clean": "sales", "summary": "sales", "report": "bi", "other": "bi"}
    edges = [("raw", "clean"), ("clean", "summary"), ("summary", "report")]
    placed = layout(nodes, groups, edges)
    for src, dst in edges:
        assert placed.nodes[src].x < placed.nodes[dst].x
    for node in nodes:
        assert inside(placed.nodes[node], placed.groups[groups[node]])
    assert not overlap(placed.groups["sales"], placed.groups["bi"])
    for a, b in itertools.combinations(nodes, 2):
        assert not overlap(placed.nodes[a], placed.nodes[b])
    assert placed.width >= max(b.x + b.w for b in placed.nodes.values())


def test_cycles_between_dags_do_not_hang_and_keep_a_column_each() -> None:
    assert columns(["a", "b", "c"], [("a", "b"), ("b", "c"), ("c", "a")]) == {
        "a": 0,
        "b": 1,
        "c": 2,
    }
    placed = layout(["a", "b"], {"a": "g", "b": "g"}, [("a", "b"), ("b", "a"), ("a", "a")])
    assert placed.nodes["a"].x != placed.nodes["b"].x


def test_a_wide_fan_out_wraps_into_sub_columns() -> None:
    leaves = [f"leaf{i:03}" for i in range(3 * MAX_ROWS)]
    nodes = ["root", *leaves]
    placed = layout(nodes, dict.fromkeys(nodes, "g"), [("root", leaf) for leaf in leaves])
    xs = {placed.nodes[leaf].x for leaf in leaves}
    assert len(xs) == 3 and min(xs) > placed.nodes["root"].x
    assert placed.height < (MAX_ROWS + 2) * 60
    for a, b in itertools.combinations(leaves[:40], 2):
        assert not overlap(placed.nodes[a], placed.nodes[b])


def test_two_thousand_assets_in_twenty_groups_lay_out_quickly() -> None:
    nodes = list(range(2000))
    groups = {n: f"group{n // 100:02}" for n in nodes}
    edges = [((n - 1) // 2, n) for n in range(1, 2000)]
    started = time.perf_counter()
    placed = layout(nodes, groups, edges)
    assert time.perf_counter() - started < 1.0
    assert len(placed.nodes) == 2000 and len(placed.groups) == 20
    boxes = list(placed.groups.values())
    assert not any(overlap(a, b) for a, b in itertools.combinations(boxes, 2))
