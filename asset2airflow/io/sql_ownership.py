"""Which asset owns each table ``SQLTableIOManager`` writes, recorded next to the tables.

The key -> (schema, table) mapping is injective, but databases fold names: SQLite compares
identifiers case-insensitively, so assets ``Orders`` and ``orders`` would share one table. A
small table ``asset2airflow_storage`` in each schema records the asset key of every table,
written in the same transaction as the data; storing or loading a table recorded for another
asset fails naming both keys instead of mixing their rows. A table with no record (made by
something else) loads as before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from asset2airflow.authoring.keys import AssetKey
from asset2airflow.errors import IOManagerError

if TYPE_CHECKING:
    from sqlalchemy import Table
    from sqlalchemy.engine import Connection

OWNERSHIP_TABLE = "asset2airflow_storage"


def _ownership_table(schema: str | None) -> Table:
    from sqlalchemy import Column, MetaData, String, Table

    return Table(
        OWNERSHIP_TABLE,
        MetaData(),
        Column("table_key", String(255), primary_key=True),
        Column("table_name", String(255), nullable=False),
        Column("asset_key", String(1024), nullable=False),
        schema=schema,
    )


def _owner(conn: Connection, schema: str | None, name: str) -> str | None:
    from sqlalchemy import inspect, select

    if not inspect(conn).has_table(OWNERSHIP_TABLE, schema=schema):
        return None
    table = _ownership_table(schema)
    row = conn.execute(select(table.c.asset_key).where(table.c.table_key == name.lower())).first()
    return None if row is None else str(row[0])


def _conflict(key: AssetKey, owner: str, schema: str | None, name: str) -> IOManagerError:
    where = f"{schema}.{name}" if schema else name
    return IOManagerError(
        f"asset {key.to_user_string()!r} would use table {where!r}, which already holds asset "
        f"{owner!r} (the database does not tell their names apart, e.g. by case). Give one of "
        "the two assets another name or key_prefix, or another io_manager_key."
    )


def claim(conn: Connection, key: AssetKey, schema: str | None, name: str) -> None:
    """Inside the writing transaction: record ``key`` as the owner of the table, or raise if
    another asset owns it."""
    table = _ownership_table(schema)
    table.create(conn, checkfirst=True)
    owner = _owner(conn, schema, name)
    if owner is None:
        conn.execute(
            table.insert().values(
                table_key=name.lower(), table_name=name, asset_key=key.to_user_string()
            )
        )
    elif owner != key.to_user_string():
        raise _conflict(key, owner, schema, name)


def check_owner(conn: Connection, key: AssetKey, schema: str | None, name: str) -> None:
    """Before loading: raise if the table is recorded for another asset."""
    owner = _owner(conn, schema, name)
    if owner is not None and owner != key.to_user_string():
        raise _conflict(key, owner, schema, name)
