"""A model SELECT compiled once per process and run with new values: for the few statements
every journal write sends, where compiling the query cost as much as running it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django.db import connection, models

M = TypeVar("M", bound=models.Model)

STAND_IN = -1  # the value the query is compiled with, in place of the real one


class CompiledSelect(Generic[M]):
    """``build(STAND_IN)`` compiled on first use; ``one(value)`` runs it with ``value`` in the
    stand-in's place and returns the model instance as the ORM would (or None).

    The stand-in must be the query's only parameter: checked, not assumed.
    """

    def __init__(self, model: type[M], build: Callable[[Any], models.QuerySet[M]]) -> None:
        self.model = model
        self.build = build
        self._compiled: dict[str, tuple[str, list[str], list[tuple[int, list]]]] = {}

    def _compile(self) -> tuple[str, list[str], list[tuple[int, list]]]:
        compiled = self._compiled.get(connection.vendor)
        if compiled is None:
            compiler = self.build(STAND_IN).query.get_compiler(connection=connection)
            sql, params = compiler.as_sql()
            if list(params) != [STAND_IN]:
                raise AssertionError(f"expected one stand-in parameter in {sql!r}")
            columns = [col.target.attname for col, _, _ in compiler.select]
            if columns != [f.attname for f in self.model._meta.concrete_fields]:
                raise AssertionError(f"unexpected columns {columns}")
            converters = compiler.get_converters([col for col, _, _ in compiler.select])
            compiled = (
                sql,
                columns,
                [(index, functions) for index, (functions, _) in sorted(converters.items())],
            )
            self._compiled[connection.vendor] = compiled
        return compiled

    def one(self, value: Any) -> M | None:
        sql, columns, converters = self._compile()
        with connection.cursor() as cursor:
            cursor.execute(sql, [value])
            row = cursor.fetchone()
        if row is None:
            return None
        values = list(row)
        for index, functions in converters:
            for function in functions:
                values[index] = function(values[index], None, connection)
        return self.model.from_db(connection.alias, columns, values)
