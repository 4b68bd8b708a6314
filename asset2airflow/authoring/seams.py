"""The one place where definitions call up into the layers that flatten and run them.

Layers import downwards only (``authoring < asset_graph < execution``; see
``docs/adr/0002-layers.md``). Dagster's API, which we keep, puts a few upper-layer operations on
definitions: ``JobDefinition.execute_in_process``, a job whose op graph and default config are
checked where it is declared, a ``@graph_asset`` that runs its ops inside the asset,
``Definitions.get_asset_value_loader``. Each such call goes through one function here, which
imports its target when it is called (never when this module is imported, so importing the
authoring API stays cheap and free of cycles). ``tests/test_layers.py`` lists these imports by
module and name: an import up a layer anywhere else fails that test.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from asset2airflow.asset_graph.definitions import Definitions
    from asset2airflow.asset_graph.op_graph import OpGraph
    from asset2airflow.authoring.config import Config
    from asset2airflow.authoring.context import AssetExecutionContext
    from asset2airflow.authoring.graphs import GraphDefinition
    from asset2airflow.authoring.jobs import AssetJobDefinition
    from asset2airflow.authoring.op_jobs import JobDefinition
    from asset2airflow.authoring.policy import RetryPolicy
    from asset2airflow.execution.job_runner import JobExecutionResult
    from asset2airflow.execution.result import ExecutionResult
    from asset2airflow.execution.run_config import ParsedRunConfig
    from asset2airflow.execution.value_loader import AssetValueLoader


def build_op_graph(
    graph: GraphDefinition,
    owner: str,
    op_retry_policy: RetryPolicy | None = None,
    external_inputs: Collection[str] = (),
) -> OpGraph:
    """The flattened, validated steps of a job's or a graph asset's graph, built where the job
    or asset is declared (so a wiring mistake is an error of the user's module)."""
    from asset2airflow.asset_graph.op_graph import build_op_graph as flatten

    return flatten(graph, owner, op_retry_policy, external_inputs)


def check_job_config(job: JobDefinition) -> None:
    """``@job(config=...)``/``to_job(config=...)``: the default config fits the ops' ``Config``,
    checked where the job is declared."""
    from asset2airflow.execution.job_runner import check_job_config as check

    check(job)


def parse_run_config(run_config: Mapping[str, Any], node_names: list[str]) -> ParsedRunConfig:
    """``define_asset_job(config=...)`` read as run config of the job's assets, checked when the
    ``Definitions`` is built."""
    from asset2airflow.execution.run_config import ParsedRunConfig

    return ParsedRunConfig(run_config, node_names)


def execute_job(job: JobDefinition, **options: Any) -> JobExecutionResult:
    """``JobDefinition.execute_in_process``: runs the job's ops in this process."""
    from asset2airflow.execution.job_runner import execute_job as execute

    return execute(job, **options)


def execute_asset_job(job: AssetJobDefinition, **options: Any) -> ExecutionResult:
    """``AssetJobDefinition.execute_in_process``: materializes the job's assets in this process."""
    from asset2airflow.execution.asset_job_runner import execute_asset_job as execute

    return execute(job, **options)


def run_graph_in_asset(
    graph: OpGraph,
    owner: str,
    context: AssetExecutionContext,
    config: Config | None,
    inputs: Mapping[str, Any],
) -> dict[str, Any]:
    """A ``@graph_asset``'s compute: its ops run inside the asset's one step."""
    from asset2airflow.execution.graph_asset_runner import run_graph_in_asset as run

    return run(graph, owner, context, config, inputs)


def asset_value_loader(defs: Definitions) -> AssetValueLoader:
    """``Definitions.get_asset_value_loader``: loads stored values through the IO managers."""
    from asset2airflow.execution.value_loader import AssetValueLoader

    return AssetValueLoader(defs)
