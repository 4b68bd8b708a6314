"""``asset2airflow validate``: load definitions, plan their DAGs, report every error.

On a folder (a dags folder in CI) it also finds what Airflow cannot: two files making the same
DAG id. Airflow's DAG processor parses each file alone, so the later parse silently wins.
"""

from __future__ import annotations

import sys
from pathlib import Path

from asset2airflow.errors import Asset2AirflowError


def plural(count: int, noun: str) -> str:
    """``1 asset``, ``2 assets``."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def validate_location(location: str) -> int:
    """One file or module: definitions valid and their DAGs plannable."""
    from asset2airflow.airflow.planner import plan_dags
    from asset2airflow.loading import load_definitions

    defs = load_definitions(location)
    plans = plan_dags(defs)
    graph = defs.asset_graph
    print(
        f"ok: {plural(len(graph.all_keys), 'asset')}, {plural(len(graph.checks), 'check')}, "
        f"{plural(len(plans), 'DAG')} in {location}"
    )
    return 0


def validate_folder(folder: Path) -> int:
    """Every asset module under ``folder`` (files without ``Definitions`` are skipped); exit 2
    when any fails or two files make one DAG id."""
    from asset2airflow.airflow.planner import plan_dags
    from asset2airflow.loading import definitions_in, import_file

    owners: dict[str, Path] = {}
    errors: list[str] = []
    assets = files = 0
    for path in sorted(folder.rglob("*.py")):
        relative = path.relative_to(folder)
        if any(part.startswith((".", "_")) for part in relative.parts):
            continue
        try:
            module = import_file(path)
            if not _defines_definitions(module):
                continue
            defs = definitions_in(module, str(path))
            plans = plan_dags(defs, dags_folder=folder.absolute())
        except Asset2AirflowError as exc:
            errors.append(f"{relative}: {exc}")
            continue
        files += 1
        assets += len(defs.asset_graph.all_keys)
        for plan in plans:
            other = owners.setdefault(plan.dag_id, relative)
            if other != relative:
                errors.append(
                    f"DAG id {plan.dag_id!r} is made by both {other} and {relative}: Airflow "
                    "would keep only one of them. Rename the asset group or job in one file."
                )
    for error in errors:
        print(f"error: {error}", file=sys.stderr)
    if errors:
        return 2
    print(
        f"ok: {plural(files, 'asset module')}, {plural(assets, 'asset')}, "
        f"{plural(len(owners), 'DAG')} in {folder}"
    )
    return 0


def _defines_definitions(module: object) -> bool:
    from asset2airflow.asset_graph.definitions import Definitions

    return any(isinstance(v, Definitions) for v in vars(module).values())
