"""The authoring, graph, execution and io layers never import Airflow (or heavy data libraries):
importing them is what every DAG parse pays for."""

from __future__ import annotations

import subprocess
import sys


def test_core_layers_import_without_airflow_pandas_or_sqlalchemy() -> None:
    code = (
        "import sys, asset2airflow, asset2airflow.execution, asset2airflow.io, "
        "asset2airflow.airflow.plan, asset2airflow.airflow.render, "
        "asset2airflow.airflow.op_plan\n"
        "print(sorted(m for m in ('airflow', 'pandas', 'pyarrow', 'sqlalchemy') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
