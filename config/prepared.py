"""Statements written once, for the few that run on nearly every request.

Building and compiling a queryset, or saving through `Model.save()`, costs Django 0.2-0.4 ms,
more than PostgreSQL takes to run a primary-key lookup or a one-row write; on a hot level,
whose row lock every writer waits for, that time is spent holding the lock. Here the SQL is
made once per shape and run with new values; PostgreSQL, binding parameters on the server,
also plans it once per connection. No model signals are sent (the project connects none).
"""

import inspect
from contextlib import contextmanager
from functools import cache

from django.db import connection


class Unpreparable(Exception):
    """A queryset that cannot be compiled once and run with new values."""


class Prepared:
    """`build(*values)` -> a queryset of model rows, compiled once and run with new values.

    The placeholders passed to `build` are found again in the compiled parameters, so each
    value goes where the compiler put it; other parameters (constants in the filter) stay.
    Values must be strings (ids, tokens), as a string placeholder stands for them. The
    queryset selects whole rows of its model (no `only`, `defer` or `select_related`). A build
    whose values the compiler rewrites (a pattern lookup) or leaves out is refused (Unpreparable)
    the first time it compiles.
    """

    def __init__(self, build):
        self.build = build
        self.arity = len(inspect.signature(build).parameters)
        self.compiled = {}  # connection vendor -> (model, sql, parameter slots)

    def _check(self, marks: list[str], params: list) -> None:
        """Refuse a statement whose values do not each reach its SQL as one parameter, as
        given: a lookup that rewrites its value (`icontains` makes `%\\x000\\x00%`) or a build
        that drops one would run it as a constant, the same for every call."""
        placed = {p for p in params if p in marks}
        rewritten = [p for p in params if isinstance(p, str) and "\0" in p and p not in marks]
        if rewritten or len(placed) < len(marks):
            code = self.build.__code__
            raise Unpreparable(
                f"the statement built at {code.co_filename}:{code.co_firstlineno} cannot be "
                "compiled once: each value must reach its SQL unchanged, as one parameter "
                f"(the compiled parameters are {params!r})"
            )

    def __call__(self, *values: str) -> list:
        if connection.vendor not in self.compiled:
            marks = [f"\0{i}\0" for i in range(self.arity)]
            queryset = self.build(*marks)
            compiler = queryset.query.get_compiler(connection=connection)
            sql, params = compiler.as_sql()
            self._check(marks, params)
            slots = [marks.index(p) if p in marks else (p,) for p in params]
            names = [column.target.attname for column, _, _ in compiler.select]
            converters = compiler.get_converters([column for column, _, _ in compiler.select])
            self.compiled[connection.vendor] = (compiler, sql, slots, names, converters)
        compiler, sql, slots, names, converters = self.compiled[connection.vendor]
        params = [slot[0] if isinstance(slot, tuple) else values[slot] for slot in slots]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if converters:
            rows = compiler.apply_converters(rows, converters)
        model, alias = compiler.query.model, connection.alias
        return [model.from_db(alias, names, row) for row in rows]


@contextmanager
def pipelined():
    """Send the block's statements to PostgreSQL together and wait once for all of them
    (psycopg's pipeline mode): writes made under a hot row's lock then hold it for one round
    trip, not one each. Elsewhere, or inside another such block, statements run as they come.
    The block's statements must not read results (a row count, a fetch)."""
    if connection.vendor != "postgresql" or connection.connection.pgconn.pipeline_status:
        yield
        return
    with connection.wrap_database_errors, connection.connection.pipeline():
        yield


def insert(obj) -> None:
    """Write a new instance as `save()` would: defaults, `auto_now(_add)`, database prep."""
    fields = obj._meta.concrete_fields
    values = [field.get_db_prep_save(field.pre_save(obj, True), connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(_insert_sql(type(obj), connection.vendor), values)
    obj._state.adding, obj._state.db = False, connection.alias


def insert_rows(
    model, columns: tuple[str, ...], rows: list[tuple], *, skip_taken: bool = False
) -> int:
    """Write rows of database-ready values into these columns (attribute names): one
    statement for one row, a batch through `executemany`; the SQL is written once. Returns
    how many rows were written (not yet known inside `pipelined()`). With `skip_taken`, a row
    whose unique value another row holds is left out (after waiting for a transaction that
    writes that value to end)."""
    if not rows:
        return 0
    with connection.cursor() as cursor:
        sql = _insert_columns_sql(model, columns, skip_taken, connection.vendor)
        if len(rows) == 1:
            cursor.execute(sql, rows[0])
        else:
            cursor.executemany(sql, rows)
        return cursor.rowcount


def increment(obj, **deltas: int) -> None:
    """Add to integer columns of one saved row (`f = f + delta`), set its `auto_now` fields,
    and keep the instance in step."""
    stamps = [f.get_db_prep_save(f.pre_save(obj, False), connection) for f in _stamped(obj._meta)]
    with connection.cursor() as cursor:
        sql = _increment_sql(type(obj), tuple(deltas), connection.vendor)
        cursor.execute(sql, [*deltas.values(), *stamps, obj.pk])
    for name, delta in deltas.items():
        setattr(obj, name, getattr(obj, name) + delta)


def increment_all(model, names: tuple[str, ...], rows: list[tuple], now) -> None:
    """`increment` for many rows, in one `executemany`: `rows` of (pk, *deltas in `names`
    order); their `auto_now` fields are set to `now`. (The caller keeps instances in step.)"""
    stamps = [field.get_db_prep_save(now, connection) for field in _stamped(model._meta)]
    with connection.cursor() as cursor:
        cursor.executemany(
            _increment_sql(model, names, connection.vendor),
            [(*deltas, *stamps, pk) for pk, *deltas in rows],
        )


@cache
def _insert_sql(model, vendor: str) -> str:
    quote, fields = connection.ops.quote_name, model._meta.concrete_fields
    columns = ", ".join(quote(field.column) for field in fields)
    marks = ", ".join(["%s"] * len(fields))
    return f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({marks})"


@cache
def _insert_columns_sql(model, columns: tuple[str, ...], skip_taken: bool, vendor: str) -> str:
    quote, meta = connection.ops.quote_name, model._meta
    column_of = {field.attname: field.column for field in meta.concrete_fields}
    names = ", ".join(quote(column_of[name]) for name in columns)
    marks = ", ".join(["%s"] * len(columns))
    skip = " ON CONFLICT DO NOTHING" if skip_taken else ""
    return f"INSERT INTO {quote(meta.db_table)} ({names}) VALUES ({marks}){skip}"


@cache
def _increment_sql(model, names: tuple[str, ...], vendor: str) -> str:
    quote, meta = connection.ops.quote_name, model._meta
    columns = [quote(meta.get_field(name).column) for name in names]
    sets = [f"{column} = {column} + %s" for column in columns]
    sets += [f"{quote(field.column)} = %s" for field in _stamped(meta)]
    return f"UPDATE {quote(meta.db_table)} SET {', '.join(sets)} WHERE {quote(meta.pk.column)} = %s"


def _stamped(meta) -> list:
    """The fields set to now on every save."""
    return [field for field in meta.concrete_fields if getattr(field, "auto_now", False)]
