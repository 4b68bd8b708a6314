"""The resolved asset graph and its validation (no Airflow imports)."""

from asset2airflow.asset_graph.definitions import Definitions
from asset2airflow.asset_graph.graph import AssetGraph
from asset2airflow.asset_graph.nodes import CheckNode
from asset2airflow.asset_graph.selection import resolve_selection

__all__ = ["AssetGraph", "CheckNode", "Definitions", "resolve_selection"]
