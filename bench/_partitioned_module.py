"""Generated modules for ``bench/partitions.py``: N assets sharing one partitions definition
(or none), written for asset2airflow (a dags-folder file calling ``build_dags``) or for Dagster
(a file defining ``defs``).

Shape: asset i depends on asset (i - 1) // 2 (a tree: chains and fans). With G groups the
assets are cut into G consecutive groups; edges that cross a group boundary become cross-DAG
edges, so the downstream DAGs are scheduled by their upstream assets (``PartitionedAssetTimetable``
when partitioned). Each file records in ``BENCH_SECONDS`` the time from after the library
import to the end of the file: building the assets, ``Definitions``, and ``build_dags``
(asset2airflow) or ``get_repository_def()`` (Dagster).
"""

from __future__ import annotations

import datetime as dt

PARTITION_START = dt.datetime(2018, 1, 1)
PARTITION_HOURS = 50_000
PARTITION_END = PARTITION_START + dt.timedelta(hours=PARTITION_HOURS)  # 2023-09-15 08:00


def _hourly_args() -> str:
    fmt = "%Y-%m-%d-%H:%M"
    return f"start_date={PARTITION_START.strftime(fmt)!r}, end_date={PARTITION_END.strftime(fmt)!r}"


def module_source(api: str, *, assets: int, groups: int, partitioned: bool) -> str:
    """Source of one module; ``api`` is ``asset2airflow`` or ``dagster``."""
    partitions = f"HourlyPartitionsDefinition({_hourly_args()})" if partitioned else "None"
    if api == "asset2airflow":
        imports = (
            "from asset2airflow import Definitions, HourlyPartitionsDefinition, asset\n"
            "from asset2airflow.airflow import build_dags"
        )
        finish = "DAGS = build_dags(defs)"
    else:
        imports = "from dagster import Definitions, HourlyPartitionsDefinition, asset"
        finish = "REPOSITORY = defs.get_repository_def()"
    return f"""# airflow dag: {assets} assets, {groups} group(s), partitioned: {partitioned}
import time

{imports}

_started = time.perf_counter()
PARTITIONS = {partitions}


def materialize():
    return None


assets = []
for i in range({assets}):
    deps = [f"a{{(i - 1) // 2}}"] if i else []
    group = f"g{{i * {groups} // {assets}}}"
    assets.append(asset(name=f"a{{i}}", deps=deps, group_name=group,
                        partitions_def=PARTITIONS)(materialize))
defs = Definitions(assets=assets)
{finish}
BENCH_SECONDS = time.perf_counter() - _started
"""
