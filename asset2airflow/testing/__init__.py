"""Helpers for testing asset code with pytest; the fixtures live in ``asset2airflow.testing.plugin``
and are available in any project that installs asset2airflow."""
