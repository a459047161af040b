"""List pages rendered to JSON by PostgreSQL.

A page's output plan compiles into one SQL expression per row: `json_build_object` over the
row's columns, a scalar subquery per nested object and an `ARRAY` subquery per nested list
(the relation's prefetch queryset, so its filter and order hold). The page then costs one
query and no model instances. A plan with a field the compiler cannot express (a method field
without `Meta.sql`, a property) renders in Python through `output.dump`, as on SQLite.
"""

from django.core.exceptions import FieldDoesNotExist
from django.db import connection
from django.db.models import (
    BigIntegerField,
    F,
    Func,
    JSONField,
    OuterRef,
    Prefetch,
    Subquery,
    TextField,
    Value,
)
from django.db.models.constants import LOOKUP_SEP
from django.db.models.expressions import RawSQL, Star
from django.db.models.functions import Cast, Coalesce
from rest_framework import serializers

from config.api.output import Plan, Total, plan_for

JSON = JSONField()
COUNT = BigIntegerField()


class Uncompilable(Exception):
    """The plan has a field SQL cannot render."""


class JSONBuild(Func):
    """`json_build_object('name', value, ...)`: keeps the declared key order, unlike jsonb."""

    function = "json_build_object"
    output_field = JSON

    def __init__(self, pairs: dict):
        args = []
        for key, value in pairs.items():
            args += [Literal(key), value]
        super().__init__(*args)


class Literal(Func):
    """A field name, written into the SQL as a text literal."""

    output_field = TextField()

    def __init__(self, name: str):
        if not name.isidentifier():
            raise ValueError(f"not a field name: {name!r}")
        super().__init__()
        self.template = f"'{name}'::text"


class ISOTimestamp(Func):
    """`2026-11-23T12:35:57.197Z`, truncated to milliseconds as `output.format_timestamp`."""

    template = (
        "to_char(date_trunc('milliseconds', %(expressions)s AT TIME ZONE 'UTC'), "
        '\'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"\')'
    )
    output_field = TextField()


class JSONArray(Subquery):
    """The rows of a subquery as a JSON array, in the subquery's order (`[]` when none)."""

    template = "array_to_json(ARRAY(%(subquery)s))"
    output_field = JSON


def page_json(queryset, plan: Plan, names: list[str], start: int, stop: int):
    """Rows `start:stop` of the ordered `queryset` as JSON texts, and the count of all its
    rows (None when the page is empty); None when SQL cannot say the rows."""
    if connection.vendor != "postgresql":
        return None
    row = _row_sql(queryset, plan, tuple(names))
    if row is None:
        return None
    if queryset.query.distinct:  # keep the rows, not the joins that needed DISTINCT
        matching = queryset.order_by().values("pk")
        queryset = queryset.model._base_manager.filter(pk__in=matching).order_by(
            *queryset.query.order_by
        )
    count = queryset.order_by().values(_n=Func(Star(), function="COUNT", output_field=COUNT))
    rows = queryset.prefetch_related(None).annotate(_json=row, _n=Subquery(count))  # run once
    rows = list(rows.values_list("_json", "_n")[start:stop])
    return [text for text, _ in rows], (rows[0][1] if rows else None)


_compiled: dict = {}  # (model, plan, names, prefetch queries) -> (sql, params) or None


def _row_sql(queryset, plan: Plan, names: tuple[str, ...]) -> RawSQL | None:
    """The row expression, compiled once per shape: building and compiling it costs more
    than the query itself. It names the outer table, as the top of a query over it does."""
    related = _prefetches(queryset)
    key = (queryset.model, plan, names, _queries_key(related))
    if key not in _compiled:
        if len(_compiled) > 1000:  # prefetch filters vary with the request: stay bounded
            _compiled.clear()
        try:
            row = Cast(_object(queryset.model, plan, names, related), TextField())
        except Uncompilable:
            _compiled[key] = None
        else:
            query = queryset.model._base_manager.annotate(_json=row).query
            _compiled[key] = query.get_compiler(connection=connection).compile(
                query.annotations["_json"]
            )
    compiled = _compiled[key]
    return None if compiled is None else RawSQL(*compiled, output_field=TextField())


def _queries_key(related: dict) -> tuple:
    key = []
    for name, queryset in related.items():
        if queryset is not None:
            sql, params = queryset.query.sql_with_params()
            key.append((name, sql, tuple(params), _queries_key(_prefetches(queryset))))
        else:
            key.append((name, None))
    return tuple(key)


def _prefetches(queryset) -> dict:
    """Relation name -> the queryset its rows come from (None: the related default)."""
    found = {}
    for lookup in queryset._prefetch_related_lookups:
        if isinstance(lookup, Prefetch):
            found[lookup.to_attr or lookup.prefetch_through] = lookup.queryset
        else:
            found[lookup.split(LOOKUP_SEP)[0]] = None
    return found


def _object(model, plan: Plan, names, related: dict) -> JSONBuild:
    return JSONBuild({name: _value(model, plan, name, related) for name in names})


def _value(model, plan: Plan, name: str, related: dict):
    if name in plan.sql:
        return plan.sql[name]
    field = plan.fields[name]
    source = field.source or name
    if isinstance(field, Total):
        return _total(model, field, related)
    if isinstance(field, serializers.SerializerMethodField):
        raise Uncompilable(name)
    if isinstance(field, serializers.ListSerializer):
        child = plan_for(type(field.child))
        rows = _related_rows(model, source, related)
        return JSONArray(rows.values(_j=_object(rows.model, child, child.names, _prefetches(rows))))
    if isinstance(field, serializers.BaseSerializer):
        nested = plan_for(type(field))
        if source == "*":
            return _object(model, nested, nested.names, related)
        target = _foreign_key(model, source)
        rows = target.related_model._base_manager.filter(pk=OuterRef(target.attname))
        return Subquery(
            rows.values(_j=_object(target.related_model, nested, nested.names, {}))[:1],
            output_field=JSON,
        )
    column = F(_column_path(model, source))
    return ISOTimestamp(column) if isinstance(field, serializers.DateTimeField) else column


def _related_rows(model, name: str, related: dict):
    """The rows of relation `name` belonging to the outer row, as its prefetch would load them."""
    queryset = related.get(name)
    relation = model._meta.get_field(name)
    if queryset is None:
        queryset = relation.related_model._default_manager.all()
    if relation.many_to_many and not relation.auto_created:  # a forward many-to-many
        back = relation.related_query_name()
    elif relation.one_to_many or relation.many_to_many:  # a reverse foreign key or m2m
        back = relation.field.name
    else:
        raise Uncompilable(name)
    return queryset.filter(**{back: OuterRef("pk")})


def _total(model, spec: Total, related: dict):
    rows = _related_rows(model, spec.relation, related).order_by()
    total = Func(F(spec.column), function="SUM")
    return Coalesce(
        Subquery(rows.values(_t=total)[:1], output_field=rows.model._meta.get_field(spec.column)),
        Value(0),
    )


def _foreign_key(model, name: str):
    field = _field(model, name)
    if not (field.many_to_one or field.one_to_one) or not field.concrete:
        raise Uncompilable(name)
    return field


def _column_path(model, source: str) -> str:
    """`a.b` -> `a__b`, when every step is a concrete column or foreign key."""
    parts = source.split(".")
    for part in parts[:-1]:
        model = _foreign_key(model, part).related_model
    field = _field(model, parts[-1])
    if not field.concrete or field.many_to_many:
        raise Uncompilable(source)
    return LOOKUP_SEP.join(parts)


def _field(model, name: str):
    """The field of a name or a column's attname (`location_id`)."""
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist as error:  # a property or method, not a column
        raise Uncompilable(name) from error
