"""The authoring layer: decorators and value objects users write (no Airflow imports)."""
