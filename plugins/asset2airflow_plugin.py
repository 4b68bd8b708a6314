"""Registers the asset2airflow Airflow plugin from Airflow's plugins folder, for deployments that
put asset2airflow on the path without installing it (no ``airflow.plugins`` entry point).

When the package is installed, its entry point registers the plugin and this file defines
nothing (Airflow would otherwise report the second registration as a plugin import error).
"""

from importlib.metadata import entry_points

if not any(ep.name == "asset2airflow" for ep in entry_points(group="airflow.plugins")):
    from asset2airflow.plugin import Asset2AirflowPlugin

    __all__ = ["Asset2AirflowPlugin"]
