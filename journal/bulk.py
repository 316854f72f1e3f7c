"""COPY for large inserts of new rows (a 500-entry sync).

``bulk_create`` spends most of its time preparing each value in Python (about 50 µs a row
for a pain entry); values that are already the right Python types can go to PostgreSQL's
COPY as they are, which halved the insert (bench/RESULTS.md). Anything but PostgreSQL, and
any field type not known to be passed through unchanged, takes Django's own path.
"""

from __future__ import annotations

from collections.abc import Sequence

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


def copy_insert(objs: Sequence[models.Model]) -> None:
    """Insert new instances of one model (primary keys set by the caller, e.g. UUIDs)."""
    if not objs:
        return
    model = type(objs[0])
    fields = model._meta.concrete_fields
    if connection.vendor != "postgresql" or not all(isinstance(f, _AS_IS) for f in fields):
        model._default_manager.bulk_create(objs)
        return
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for obj in objs:
            # pre_save fills auto_now/auto_now_add and returns the attribute otherwise.
            copy.write_row([field.pre_save(obj, add=True) for field in fields])
