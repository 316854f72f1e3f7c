"""A model SELECT compiled once per process and run with new values: for the few statements
every journal write sends, where compiling the query cost as much as running it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from django.db import connection, models
from django.db.models.sql.compiler import SQLCompiler

M = TypeVar("M", bound=models.Model)
Converters = list[tuple[int, list[Callable[..., Any]]]]

STAND_IN = -1  # the value the query is compiled with, in place of the real one


class CompiledSelect(Generic[M]):
    """``build(STAND_IN)`` compiled on first use; ``one(value)`` runs it with ``value`` in the
    stand-in's place and returns the model instance as the ORM would (or None).

    The stand-in must be the query's only parameter: checked, not assumed.
    """

    def __init__(self, model: type[M], build: Callable[[Any], models.QuerySet[M]]) -> None:
        self.model = model
        self.build = build
        self._compiled: dict[str, tuple[str, list[str], Converters]] = {}

    def _compile(self) -> tuple[str, list[str], Converters]:
        compiled = self._compiled.get(connection.vendor)
        if compiled is None:
            compiler = self.build(STAND_IN).query.get_compiler(connection=connection)
            sql, params = compiler.as_sql()
            if list(params) != [STAND_IN]:
                raise AssertionError(f"expected one stand-in parameter in {sql!r}")
            compiled = (sql, *model_columns(self.model, compiler))
            self._compiled[connection.vendor] = compiled
        return compiled

    def one(self, value: Any) -> M | None:
        sql, columns, converters = self._compile()
        with connection.cursor() as cursor:
            cursor.execute(sql, [value])
            row = cursor.fetchone()
        return None if row is None else instance(self.model, columns, converters, row)


def model_columns(model: type[M], compiler: SQLCompiler) -> tuple[list[str], Converters]:
    """The columns a compiled SELECT of whole ``model`` rows returns (checked to be all of
    its concrete fields, in order) and the converters Django would apply (JSON columns)."""
    columns = [col.target.attname for col, _, _ in compiler.select]
    if columns != [f.attname for f in model._meta.concrete_fields]:
        raise AssertionError(f"unexpected columns {columns}")
    converters = compiler.get_converters([col for col, _, _ in compiler.select])
    return columns, [(index, functions) for index, (functions, _) in sorted(converters.items())]


def instance(model: type[M], columns: list[str], converters: Converters, row: Sequence) -> M:
    """A model instance from a raw row, as the ORM would have built it."""
    values = list(row)
    for index, functions in converters:
        for function in functions:
            values[index] = function(values[index], None, connection)
    return model.from_db(connection.alias, columns, values)
