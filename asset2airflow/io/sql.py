"""``SQLTableIOManager``: pandas DataFrames as tables of any SQLAlchemy database.

One table per asset: the table is the key's last component, the schema its prefix joined by
``/`` (``sales/orders`` -> ``sales.orders``, ``a/b/t`` -> ``"a/b".t``; no prefix: the default
schema), so two keys never share a table; ``sql_ownership`` catches what the database folds
(case). SQLite has no schemas, so there a schema is a sibling database file
``<db stem>.<encoded schema>.db`` ATTACHed under the schema's name.

Every write is one transaction, so a killed writer leaves the previous table intact: a whole
asset is replaced (DROP, CREATE, INSERT), a partition's rows are deleted and appended. The
DataFrame index is not stored. Partitioned assets need ``metadata={"partition_expr": "<column>"}``
naming the column that holds the partition key; it is stored as the key's text (filled in when
the frame lacks it). Loading a partition nobody wrote gives an empty frame (a table cannot tell
"never written" from "written empty"). SQLAlchemy and pandas are imported on first use, keeping
DAG parsing light.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from asset2airflow.authoring.io_manager import ConfigurableIOManager, InputContext, OutputContext
from asset2airflow.authoring.keys import AssetKey
from asset2airflow.authoring.metadata import MetadataValue
from asset2airflow.errors import IOManagerError
from asset2airflow.io.locations import (
    check_partition_key,
    encode_component,
    missing_value,
    output_partition,
)
from asset2airflow.io.sql_ownership import check_owner, claim
from asset2airflow.io.storage_dir import default_storage_dir, is_env_setting, resolve_setting

if TYPE_CHECKING:
    import pandas as pd
    from sqlalchemy import Select
    from sqlalchemy.engine import URL, Connection, Engine

PARTITION_EXPR_KEY = "partition_expr"
_SQLITE_RESERVED_SCHEMAS = ("main", "temp")
_MAX_IDENTIFIER_BYTES = 63
_DEFAULT_SQLITE_TIMEOUT = 60.0  # seconds a writer waits for another's lock


def default_sql_url() -> str:
    """``sqlite:///<default_storage_dir()>/asset2airflow.db`` (absolute), computed when used."""
    return f"sqlite:///{default_storage_dir().absolute() / 'asset2airflow.db'}"


def table_of(key: AssetKey) -> tuple[str | None, str]:
    """(schema, table) for an asset: its name, in the schema named by the key prefix joined
    with ``/`` (``None``: the default schema). Injective: no key component contains ``/``.
    Names longer than Postgres' 63 bytes (which it would silently truncate) are refused."""
    schema, name = "/".join(key.path[:-1]) or None, key.path[-1]
    for identifier in (schema, name):
        if identifier is not None and len(identifier.encode("utf-8")) > _MAX_IDENTIFIER_BYTES:
            raise IOManagerError(
                f"asset {key.to_user_string()!r} would be stored in SQL "
                f"{'schema' if identifier == schema else 'table'} {identifier!r}, longer than "
                f"the {_MAX_IDENTIFIER_BYTES} bytes databases keep (Postgres truncates longer "
                "names, so two assets could share a table). Give the asset a shorter name or "
                "key_prefix."
            )
    return schema, name


def _refuse_op_output(has_asset_key: bool, name: str, step: str) -> None:
    if not has_asset_key:
        raise IOManagerError(
            f"SQLTableIOManager stores assets only, but output/input {name!r} of {step} is an "
            "op output (a table per op output and run is not built). Give the op's Out "
            "io_manager_key= of a FilesystemIOManager or ParquetIOManager."
        )


class SQLTableIOManager(ConfigurableIOManager):
    """Stores DataFrames in the database at ``url`` (``None``: ``default_sql_url()``).

    ``url`` may be an ``EnvVar`` (read when a value is stored or loaded; ``storage_uri`` is then
    ``None``). SQLite URLs must name a file; concurrent writers wait up to 60 s for the
    database lock (``?timeout=<seconds>`` in the URL changes that).
    """

    url: str | None = None

    def handle_output(self, context: OutputContext, obj: Any) -> None:
        import pandas as pd

        _refuse_op_output(context.has_asset_key, context.name, context.step_key)
        key = context.asset_key
        if not isinstance(obj, pd.DataFrame):
            raise IOManagerError(
                f"SQLTableIOManager cannot store asset {key.to_user_string()!r}: it returned a "
                f"{type(obj).__name__}. Return a pandas DataFrame, or "
                "give the asset another IO manager (io_manager_key), e.g. a FilesystemIOManager."
            )
        schema, name = table_of(key)
        url = self._url()
        partition = output_partition(context)
        expr, frame = None, obj
        if partition is not None:
            expr = _partition_expr(key, context.definition_metadata)
            frame = _frame_for_partition(obj, expr, partition, key)
        with (
            _database_errors(key, _where(url, schema, name), storing=True),
            _engine(url, schema, key, writing=True) as engine,
            engine.begin() as conn,
        ):
            _create_schema(conn, schema)
            claim(conn, key, schema, name)
            _write(conn, frame, schema, name, expr, partition)
        context.add_output_metadata(
            {
                "table": MetadataValue.text(f"{schema}.{name}" if schema else name),
                "row_count": MetadataValue.int(len(obj)),
            }
        )

    def load_input(self, context: InputContext) -> Any:
        import pandas as pd
        from sqlalchemy import column, inspect, literal_column, select, table

        _refuse_op_output(context.has_asset_key, context.name, "an op")
        key = context.asset_key
        schema, name = table_of(key)
        partitions = (
            [check_partition_key(key, k) for k in context.asset_partition_keys]
            if context.has_asset_partitions
            else None
        )
        partition = partitions[0] if partitions and len(partitions) == 1 else None
        url = self._url()
        where = _where(url, schema, name)
        expr = None if partitions is None else _load_partition_expr(context)
        if not _sqlite_files_exist(url, schema, key):
            raise missing_value(key, partition, where)
        with (
            _database_errors(key, where, storing=False),
            _engine(url, schema, key, writing=False) as engine,
            engine.connect() as conn,
        ):
            if not inspect(conn).has_table(name, schema=schema):
                raise missing_value(key, partition, where)
            check_owner(conn, key, schema, name)
            source = table(name, *([] if expr is None else [column(expr)]), schema=schema)
            query: Select[Any] = select(literal_column("*")).select_from(source)
            if expr is not None and partitions is not None:  # one query, bound parameters
                query = query.where(source.c[expr].in_(partitions))
            return pd.read_sql_query(query, conn)

    def storage_uri(self, asset_key: AssetKey) -> str | None:
        """``<url without user, password or query>/<schema>.<table>``; no I/O."""
        if is_env_setting(self, "url"):
            return None
        schema, name = table_of(asset_key)
        return f"{_public_url(self._url())}/{schema + '.' if schema else ''}{name}"

    def _url(self) -> str:
        return resolve_setting(self, "url") or default_sql_url()


def _write(
    conn: Connection,
    frame: pd.DataFrame,
    schema: str | None,
    name: str,
    expr: str | None,
    partition: str | None,
) -> None:
    """Inside the caller's transaction: replace the table, or one partition's rows of it."""
    from sqlalchemy import column, delete, inspect, table

    if expr is None:
        frame.to_sql(name, conn, schema=schema, if_exists="replace", index=False)
        return
    if inspect(conn).has_table(name, schema=schema):
        target = table(name, column(expr), schema=schema)
        conn.execute(delete(target).where(target.c[expr] == partition))
    frame.to_sql(name, conn, schema=schema, if_exists="append", index=False)


def _create_schema(conn: Connection, schema: str | None) -> None:
    """Inside the writing transaction: create the key prefix's schema if the database lacks it
    (Postgres and others; a SQLite schema is an attached file, made when attached)."""
    from sqlalchemy.schema import CreateSchema

    if schema is not None and conn.dialect.name != "sqlite":
        conn.execute(CreateSchema(schema, if_not_exists=True))


def _where(url: str, schema: str | None, name: str) -> str:
    return f"table {schema + '.' if schema else ''}{name} of {_public_url(url)}"


@contextmanager
def _database_errors(key: AssetKey, where: str, *, storing: bool) -> Iterator[None]:
    """Database failures as ``IOManagerError`` naming the asset and table (cause chained)."""
    from pandas.errors import DatabaseError
    from sqlalchemy.exc import SQLAlchemyError

    try:
        yield
    except (SQLAlchemyError, DatabaseError) as exc:
        advice = (
            "The transaction was rolled back, so the table keeps its previous contents; check "
            "that every column has a type the database accepts and that it is reachable."
            if storing
            else "Check that the database is reachable and the table readable."
        )
        raise IOManagerError(
            f"SQLTableIOManager could not {'store' if storing else 'load'} asset "
            f"{key.to_user_string()!r} ({where}): {exc}\n{advice}"
        ) from exc


def _partition_expr(key: AssetKey, metadata: Mapping[str, MetadataValue]) -> str:
    entry = metadata.get(PARTITION_EXPR_KEY)
    if entry is None:
        raise IOManagerError(
            f"asset {key.to_user_string()!r} is partitioned but has no {PARTITION_EXPR_KEY!r} "
            f"metadata; add metadata={{{PARTITION_EXPR_KEY!r}: '<column>'}} to the asset so "
            "SQLTableIOManager knows which column holds the partition key."
        )
    return str(entry.value)


def _load_partition_expr(context: InputContext) -> str:
    """The input's ``partition_expr`` metadata, else the upstream asset's."""
    upstream = context.upstream_output
    if PARTITION_EXPR_KEY not in context.definition_metadata and upstream is not None:
        return _partition_expr(context.asset_key, upstream.definition_metadata)
    return _partition_expr(context.asset_key, context.definition_metadata)


def _frame_for_partition(
    frame: pd.DataFrame, expr: str, partition: str, key: AssetKey
) -> pd.DataFrame:
    """``frame`` with column ``expr`` set to the text ``partition`` on every row, so deleting the
    partition's rows later matches exactly. If the asset already has that column, every value
    must read as ``partition``."""
    if expr in frame.columns:
        others = frame.loc[frame[expr].astype(str) != partition, expr]
        if len(others):
            raise IOManagerError(
                f"partition {partition!r} of asset {key.to_user_string()!r} has rows whose "
                f"{PARTITION_EXPR_KEY} column {expr!r} is not {partition!r} (e.g. "
                f"{others.iloc[0]!r}); return only that partition's rows, or drop the column "
                "and SQLTableIOManager fills it in."
            )
    filled: pd.DataFrame = frame.copy(deep=False)  # copy-on-write: the caller's frame is kept
    filled[expr] = partition
    return filled


def _public_url(url: str) -> str:
    """The URL without credentials or query (both may hold secrets); shown in Airflow's UI."""
    from sqlalchemy.engine import URL, make_url

    parsed = make_url(url)
    public = URL.create(
        parsed.drivername, host=parsed.host, port=parsed.port, database=parsed.database
    )
    return public.render_as_string(hide_password=True)


def _sqlite_database(url: URL, schema: str | None, key: AssetKey) -> Path:
    """The database file of a SQLite URL; refuses what this manager cannot use."""
    database = url.database
    if not database or database == ":memory:" or "mode" in url.query or "uri" in url.query:
        raise IOManagerError(
            f"SQLTableIOManager cannot use {url.render_as_string()!r} for asset "
            f"{key.to_user_string()!r}: SQLite needs a plain database file path, e.g. "
            "'sqlite:////abs/path/warehouse.db', because each store and load opens a new "
            "connection (an in-memory database would be empty each time)."
        )
    if schema is not None and schema.lower() in _SQLITE_RESERVED_SCHEMAS:
        raise IOManagerError(
            f"asset {key.to_user_string()!r} would be stored in SQLite schema {schema!r}, which "
            "SQLite reserves (main: the database itself, temp: discarded on close); give the "
            "asset another key prefix."
        )
    return Path(database)


def _sibling(database: Path, schema: str) -> Path:
    """The file standing in for ``schema`` next to a SQLite database: ``<stem>.<schema>.db``."""
    return database.with_name(f"{database.stem}.{encode_component(schema)}.db")


def _sqlite_files_exist(url_string: str, schema: str | None, key: AssetKey) -> bool:
    """False when a SQLite database (or schema file) is missing, so loading need not create it.
    True for other databases."""
    from sqlalchemy.engine import make_url

    url = make_url(url_string)
    if url.get_backend_name() != "sqlite":
        return True
    database = _sqlite_database(url, schema, key)
    return database.exists() and (schema is None or _sibling(database, schema).exists())


@contextmanager
def _engine(
    url_string: str, schema: str | None, key: AssetKey, *, writing: bool
) -> Iterator[Engine]:
    """An engine for one store or load, disposed afterwards (no pool outlives the call, so
    nothing leaks across Airflow's forked task processes)."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    url = make_url(url_string)
    sqlite = url.get_backend_name() == "sqlite"
    # sqlite3 waits 5 s for a lock by default; parallel Airflow tasks writing big frames to the
    # one default database file need longer. ?timeout= in the URL still wins.
    wait = {"timeout": _DEFAULT_SQLITE_TIMEOUT} if sqlite and "timeout" not in url.query else {}
    engine = create_engine(url, connect_args=wait)
    try:
        if sqlite:
            _configure_sqlite(engine, _sqlite_database(url, schema, key), schema, writing=writing)
        yield engine
    finally:
        engine.dispose()


def _configure_sqlite(engine: Engine, database: Path, schema: str | None, *, writing: bool) -> None:
    """Make SQLite transactions real and give it the schema.

    pysqlite runs DDL outside transactions, so a ``replace`` could commit its DROP before the
    INSERTs; SQLAlchemy's documented recipe takes over transaction control. Writers BEGIN
    IMMEDIATE, taking the write lock up front so concurrent writers wait instead of deadlocking.
    Each new connection ATTACHes the schema's sibling file once (idempotent).
    """
    from sqlalchemy import event

    if writing:
        database.parent.mkdir(parents=True, exist_ok=True)
    sibling = str(_sibling(database, schema)) if schema is not None else None
    begin = "BEGIN IMMEDIATE" if writing else "BEGIN"

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        if schema is None:
            return
        attached = {row[1].lower() for row in dbapi_connection.execute("PRAGMA database_list")}
        if schema.lower() not in attached:
            dbapi_connection.execute("ATTACH DATABASE ? AS ?", (sibling, schema))

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql(begin)
