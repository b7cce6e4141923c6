"""Fast inserts of many rows, and interning of lookup keys, on either backend.

SQLAlchemy's generic executemany turns each row into a dict and back; at a
million sample rows that costs more than the database does. So rows stay
tuples: SQLite gets the compiled ``INSERT`` straight through
``cursor.executemany``; PostgreSQL gets ``COPY ... FROM STDIN``, which psycopg
streams in one round trip. Both run inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, Table, select, tuple_
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from android_suite.results.engine import POSTGRESQL, SQLITE

Row = tuple[Any, ...]


def insert_rows(conn: Connection, table: Table, columns: Sequence[str], rows: Sequence[Row]) -> None:
    """Insert ``rows`` (tuples in ``columns`` order) into ``table``."""
    if not rows:
        return
    dialect = conn.dialect.name
    if dialect == SQLITE:
        sql = str(table.insert().compile(dialect=conn.dialect, column_keys=list(columns)))
        conn.exec_driver_sql(sql, list(rows))
    elif dialect == POSTGRESQL:
        _copy(conn, table, columns, rows)
    else:  # pragma: no cover - parse_url admits only the two backends above
        conn.execute(table.insert(), [dict(zip(columns, r, strict=True)) for r in rows])


def _copy(conn: Connection, table: Table, columns: Sequence[str], rows: Sequence[Row]) -> None:
    # The DBAPI connection under ``conn`` is already inside SQLAlchemy's
    # transaction, so the COPY commits or rolls back with everything else.
    dbapi = conn.connection.driver_connection
    assert dbapi is not None
    names = ", ".join(f'"{c}"' for c in columns)  # our own column names, never user text
    with dbapi.cursor() as cur, cur.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(row)


def intern(conn: Connection, table: Table, key_columns: Sequence[str], keys: Iterable[Row]) -> dict[Row, int]:
    """Ids of ``keys`` in a lookup table, inserting the ones it lacks.

    Safe against another writer interning the same key at the same moment
    (``ON CONFLICT DO NOTHING``, then read back).
    """
    wanted = sorted(set(keys))
    if not wanted:
        return {}
    cols = [table.c[name] for name in key_columns]
    dialect = conn.dialect.name
    values = [dict(zip(key_columns, k, strict=True)) for k in wanted]
    if dialect in (SQLITE, POSTGRESQL):
        make = sqlite_insert if dialect == SQLITE else pg_insert
        conn.execute(make(table).on_conflict_do_nothing(index_elements=list(key_columns)), values)
    else:  # pragma: no cover
        conn.execute(table.insert(), values)
    found: dict[Row, int] = {}
    for start in range(0, len(wanted), 500):  # keep the IN list well under any bind-parameter limit
        chunk = wanted[start : start + 500]
        rows = conn.execute(select(table.c.id, *cols).where(tuple_(*cols).in_(chunk))).all()
        found.update({tuple(r[1:]): int(r[0]) for r in rows})
    return found
