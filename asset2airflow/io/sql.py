"""``SQLTableIOManager``: pandas DataFrames as tables of any SQLAlchemy database.

One table per asset: the table is the key's last component, the schema its prefix joined by
``_``. SQLite has no schemas, so a schema there is a sibling database file ATTACHed under that
name. Every write is one transaction, so a killed writer leaves the previous table intact.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from asset2airflow.definitions.io_manager import ConfigurableIOManager, InputContext, OutputContext
from asset2airflow.definitions.keys import AssetKey
from asset2airflow.errors import IOManagerError
from asset2airflow.io.paths import missing_value
from asset2airflow.io.storage_dir import default_storage_dir, known_at_parse_time, setting

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine


def _table_of(key: AssetKey) -> tuple[str | None, str]:
    schema = "_".join(key.path[:-1]).replace("-", "_") or None
    return schema, key.path[-1].replace("-", "_")


def _make_sqlite_transactional(engine: Engine, schema: str | None) -> None:
    """pysqlite runs DDL outside transactions, so a ``replace`` could commit the DROP before the
    INSERTs. Take transaction control (SQLAlchemy's documented recipe) and ATTACH the schema's
    database file (``<db stem>.<schema>.db``) when each connection opens."""
    from sqlalchemy import event

    database = Path(str(engine.url.database))
    database.parent.mkdir(parents=True, exist_ok=True)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        if schema is not None:
            sibling = database.with_name(f"{database.stem}.{schema}.db")
            dbapi_connection.execute("ATTACH DATABASE ? AS ?", (str(sibling), schema))

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN")


class SQLTableIOManager(ConfigurableIOManager):
    """``url``: a SQLAlchemy URL (default: a SQLite file in ``default_storage_dir()``)."""

    url: str | None = None

    def _url(self) -> str:
        return (
            setting(self, "url") or f"sqlite:///{default_storage_dir().absolute()}/asset2airflow.db"
        )

    def _engine(self, schema: str | None) -> Engine:
        from sqlalchemy import create_engine

        engine = create_engine(self._url())
        if engine.dialect.name == "sqlite":
            _make_sqlite_transactional(engine, schema)
        return engine

    def handle_output(self, context: OutputContext, obj: Any) -> None:
        import pandas as pd
        from sqlalchemy import text

        key = context.asset_key
        if not isinstance(obj, pd.DataFrame):
            raise IOManagerError(
                f"SQLTableIOManager cannot store asset {key.to_user_string()!r}: it returned a "
                f"{type(obj).__name__}; return a pandas DataFrame or use another IO manager."
            )
        schema, table = _table_of(key)
        engine = self._engine(schema)
        try:
            with engine.begin() as conn:
                if context.has_partition_key:
                    column = self._partition_column(context)
                    frame = obj.assign(**{column: context.partition_key})
                    qualified = f'"{schema}"."{table}"' if schema else f'"{table}"'
                    if engine.dialect.has_table(conn, table, schema=schema):
                        conn.execute(
                            text(f'DELETE FROM {qualified} WHERE "{column}" = :p'),
                            {"p": context.partition_key},
                        )
                    frame.to_sql(table, conn, schema=schema, if_exists="append", index=False)
                else:
                    obj.to_sql(table, conn, schema=schema, if_exists="replace", index=False)
        finally:
            engine.dispose()
        context.add_output_metadata(
            {"table": f"{schema}.{table}" if schema else table, "row_count": len(obj)}
        )

    def _partition_column(self, context: OutputContext) -> str:
        column = context.definition_metadata.get("partition_expr")
        if column is None:
            raise IOManagerError(
                f"asset {context.asset_key.to_user_string()!r} is partitioned but has no "
                "'partition_expr' metadata; add metadata={'partition_expr': '<column>'} so "
                "SQLTableIOManager knows which column holds the partition key."
            )
        return str(column.value)

    def load_input(self, context: InputContext) -> Any:
        import pandas as pd
        from sqlalchemy import text

        key = context.asset_key
        schema, table = _table_of(key)
        partition = context.partition_key if context.has_partition_key else None
        engine = self._engine(schema)
        try:
            with engine.connect() as conn:
                if not engine.dialect.has_table(conn, table, schema=schema):
                    raise missing_value(key, partition, f"table {schema or ''}.{table}")
                qualified = f'"{schema}"."{table}"' if schema else f'"{table}"'
                if partition is None:
                    return pd.read_sql_query(text(f"SELECT * FROM {qualified}"), conn)
                upstream = context.upstream_output
                column = self._partition_column(upstream) if upstream else "partition"
                return pd.read_sql_query(
                    text(f'SELECT * FROM {qualified} WHERE "{column}" = :p'),
                    conn,
                    params={"p": partition},
                )
        finally:
            engine.dispose()

    def storage_uri(self, asset_key: AssetKey) -> str | None:
        if not known_at_parse_time(self, "url"):
            return None
        from sqlalchemy.engine import URL, make_url

        # Credentials never leave the URL: the URI is shown in Airflow's UI.
        url = make_url(self._url())
        public = URL.create(url.drivername, host=url.host, port=url.port, database=url.database)
        base = public.render_as_string(hide_password=False)
        schema, table = _table_of(asset_key)
        return f"{base}/{schema}.{table}" if schema else f"{base}/{table}"
