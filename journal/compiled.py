"""Queries compiled once per process and run with new values: for the few statements every
journal write sends, where compiling the query cost as much as running it.

A query is compiled with stand-in values where the real ones go; ``slots`` maps each
parameter Django produced back to a stand-in (or keeps it as a constant), so the mapping
comes from what Django compiled, not from assuming its parameter order; ``fill`` puts the
real values in."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from django.db import connection, models
from django.db.models.sql.compiler import SQLCompiler

M = TypeVar("M", bound=models.Model)
Converters = list[tuple[int, list[Callable[..., Any]]]]

STAND_IN = -1  # the value a one-value query is compiled with, in place of the real one
Slots = tuple[int | tuple[object], ...]  # an index into the values, or a 1-tuple constant


class CompiledSelect(Generic[M]):
    """``build(STAND_IN)`` compiled on first use; ``one(value)`` runs it with ``value`` in the
    stand-in's place and returns the model instance as the ORM would (or None).

    The stand-in may appear once among the query's parameters; others are constants.
    """

    def __init__(self, model: type[M], build: Callable[[Any], models.QuerySet[M]]) -> None:
        self.model = model
        self.build = build
        self._compiled: dict[str, tuple[str, Slots, list[str], Converters]] = {}

    def _compile(self) -> tuple[str, Slots, list[str], Converters]:
        compiled = self._compiled.get(connection.vendor)
        if compiled is None:
            compiler = self.build(STAND_IN).query.get_compiler(connection=connection)
            sql, params = compiler.as_sql()
            compiled = (sql, slots(sql, params, [STAND_IN]), *model_columns(self.model, compiler))
            self._compiled[connection.vendor] = compiled
        return compiled

    def one(self, value: Any) -> M | None:
        sql, where, columns, converters = self._compile()
        with connection.cursor() as cursor:
            cursor.execute(sql, fill(where, [value]))
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


def slots(sql: str, params: Sequence[object], standins: list[object]) -> Slots:
    """Each of ``params`` as the index of the stand-in it is, or as a constant; every
    stand-in must be used (else Django rewrote a value and the mapping cannot be trusted)."""
    where = {(type(v), v): i for i, v in enumerate(standins)}
    if len(where) != len(standins):
        raise AssertionError("stand-in values must be distinct")
    mapped: list[int | tuple[object]] = []
    for param in params:
        index = where.get((type(param), param))
        mapped.append((param,) if index is None else index)
    if sorted(s for s in mapped if isinstance(s, int)) != list(range(len(standins))):
        raise AssertionError(f"cannot map the parameters of {sql!r}")
    return tuple(mapped)


def fill(where: Slots, values: Sequence[object]) -> list[object]:
    """The parameters for ``values`` (one per stand-in, in the stand-ins' order)."""
    return [values[slot] if isinstance(slot, int) else slot[0] for slot in where]
