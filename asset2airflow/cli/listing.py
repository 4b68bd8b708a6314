"""What ``asset2airflow list`` shows: assets with group, kind, deps and checks."""

from __future__ import annotations

from typing import Any

from asset2airflow.asset_graph.definitions import Definitions


def describe(defs: Definitions) -> dict[str, Any]:
    """A JSON-ready description of every asset and check (sorted, so output is stable)."""
    graph = defs.asset_graph
    assets = []
    for key in graph.all_keys:
        assets_def = graph.get(key)
        spec = graph.spec(key)
        assets.append(
            {
                "key": key.to_user_string(),
                "node": assets_def.node_name,
                "group": spec.group_name or "default",
                "external": assets_def.is_external,
                "deps": [k.to_user_string() for k in graph.upstream[key]],
                "description": spec.description,
                "io_manager_key": None if assets_def.is_external else graph.io_manager_key(key),
                "partitioned": spec.partitions_def is not None,
                "checks": [c.spec.name for c in graph.checks_for(key)],
            }
        )
    checks = [
        {
            "key": check.key.to_user_string(),
            "asset": check.spec.asset_key.to_user_string(),
            "name": check.spec.name,
            "blocking": check.spec.blocking,
            "in_asset": check.in_asset,
            "description": check.spec.description,
        }
        for check in (graph.checks[k] for k in sorted(graph.checks))
    ]
    return {"assets": assets, "checks": checks}


def format_text(description: dict[str, Any]) -> str:
    lines = []
    by_group: dict[str, list[dict[str, Any]]] = {}
    for item in description["assets"]:
        by_group.setdefault(item["group"], []).append(item)
    for group in sorted(by_group):
        lines.append(f"group {group}")
        for item in by_group[group]:
            flags = " (external)" if item["external"] else ""
            flags += " (partitioned)" if item["partitioned"] else ""
            deps = ", ".join(item["deps"]) or "-"
            lines.append(f"  {item['key']}{flags}  <- {deps}")
            for check in item["checks"]:
                lines.append(f"    check {check}")
    count = len(description["assets"])
    lines.append(f"{count} asset{'s' if count != 1 else ''}, {len(description['checks'])} checks")
    return "\n".join(lines)
