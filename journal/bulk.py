"""The database adapter: the one module with raw SQL, COPY for large inserts of new rows
(a 500-entry sync, a morning's reminders).

``bulk_create`` spends most of its time preparing each value in Python (about 50 µs a row
for a pain entry); values that are already the right Python types can go to PostgreSQL's
COPY as they are, which roughly halved the insert (bench/RESULTS.md). Anything but
PostgreSQL, and any field type not known here, takes Django's own path (``bulk_create``), so
callers write plain ORM code and never branch on the database. tests/ops/test_bulk.py runs
on PostgreSQL and, in a subprocess, on SQLite.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection, models

# Fields whose Python value psycopg adapts exactly as Django's get_db_prep_save would.
_AS_IS = (
    models.UUIDField,
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BooleanField,
    models.DateTimeField,
    models.DecimalField,
    models.ForeignKey,
)


def _converters(fields: Sequence[models.Field]) -> list[Callable[[Any], Any]] | None:
    converters: list[Callable[[Any], Any]] = []
    for field in fields:
        if isinstance(field, _AS_IS):
            converters.append(lambda value: value)
        elif isinstance(field, models.JSONField):
            converters.append(lambda value, f=field: f.get_db_prep_save(value, connection))
        else:
            return None
    return converters


def copy_insert(objs: Sequence[models.Model], *, ignore_conflicts: bool = False) -> list[Any]:
    """Insert new instances of one model (primary keys set by the caller, e.g. UUIDs).

    Returns the primary keys inserted. With ``ignore_conflicts`` a row that breaks a unique
    constraint is skipped (as ``bulk_create(ignore_conflicts=True)``), and left out of the
    result, so callers know exactly which rows are new.
    """
    if not objs:
        return []
    model = type(objs[0])
    meta = model._meta
    fields = meta.concrete_fields
    converters = _converters(fields)
    if connection.vendor != "postgresql" or converters is None:
        created = model._default_manager.bulk_create(objs, ignore_conflicts=ignore_conflicts)
        if not ignore_conflicts:
            return [obj.pk for obj in created]
        found = model._default_manager.filter(pk__in=[obj.pk for obj in objs])
        return list(found.values_list("pk", flat=True))
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    table = quote(meta.db_table)
    target = quote(f"_copy_{meta.db_table}") if ignore_conflicts else table
    with connection.cursor() as cursor:
        if ignore_conflicts:
            cursor.execute(f"CREATE TEMPORARY TABLE {target} (LIKE {table})")
        with cursor.cursor.copy(f"COPY {target} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                # pre_save fills auto_now/auto_now_add and returns the attribute otherwise.
                copy.write_row(
                    [
                        convert(field.pre_save(obj, add=True))
                        for field, convert in zip(fields, converters, strict=True)
                    ]
                )
        if not ignore_conflicts:
            return [obj.pk for obj in objs]
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {target}"  # noqa: S608
            f" ON CONFLICT DO NOTHING RETURNING {quote(meta.pk.column)}"
        )
        inserted = [row[0] for row in cursor.fetchall()]
        cursor.execute(f"DROP TABLE {target}")
    return inserted
