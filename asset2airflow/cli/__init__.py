"""The ``asset2airflow`` command."""
