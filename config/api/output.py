"""Fast rendering of output serializers.

Output serializers describe the JSON shapes (and document them through drf-spectacular);
rendering walks a plan compiled once per class instead of DRF's per-field machinery.
Fields listed in a serializer's `Meta.expandable` appear only when `expand` names them;
`Meta.sql` gives the SQL of fields that are not columns, for pages PostgreSQL renders
(`config.api.sqljson`).
"""

import datetime as dt
from functools import cache

from django.db.models import Manager
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

# What `metadata` and the like hold: the `JsonValue` component (`config.api.schema`).
JSON_VALUE = {"$ref": "#/components/schemas/JsonValue"}
JSON_OBJECT = {"type": "object", "additionalProperties": JSON_VALUE}


def format_timestamp(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(dt.UTC).isoformat(timespec="milliseconds")[:-6] + "Z"


class Timestamp(serializers.DateTimeField):
    """ISO-8601 UTC with milliseconds: `2026-11-23T12:35:57.197Z`."""

    def to_representation(self, value):
        return format_timestamp(value)


@extend_schema_field(JSON_OBJECT)
class Metadata(serializers.JSONField):
    """`metadata`: a JSON object of the client's own keys, or null."""

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)


class Total(serializers.IntegerField):
    """The sum of `column` over the rows of the relation `relation` (as loaded or prefetched)."""

    def __init__(self, relation: str, column: str, **kwargs):
        self.relation, self.column = relation, column
        super().__init__(read_only=True, **kwargs)


class Plan:
    def __init__(self, serializer_class):
        serializer = serializer_class()
        meta = getattr(serializer_class, "Meta", None)
        self.expandable = frozenset(getattr(meta, "expandable", ()))
        self.sql = getattr(meta, "sql", {})
        self.fields = serializer.fields
        names = [name for name in serializer.fields if name not in self.expandable]
        self.names = sorted(names, key=lambda name: name != "id")  # `id` first, then as declared
        self.getters = {name: _getter(serializer, name, f) for name, f in serializer.fields.items()}

    def selected(self, fields=None, expand=()) -> list[str]:
        """The names a row shows: `fields` keeps only those columns (plus `id`)."""
        if fields is None and not expand:
            return self.names
        names = (
            self.names if fields is None else [n for n in self.names if n in fields or n == "id"]
        )
        return [*names, *expand]


def _attr_path(source: str):
    parts = source.split(".")
    if len(parts) == 1:
        name = parts[0]
        return lambda obj: getattr(obj, name)

    def get(obj):
        for part in parts:
            if obj is None:
                return None
            obj = getattr(obj, part)
        return obj

    return get


def _getter(serializer, name, field):
    if isinstance(field, Total):
        relation, column = field.relation, field.column
        return lambda obj: sum(getattr(row, column) for row in getattr(obj, relation).all())
    if isinstance(field, serializers.SerializerMethodField):
        return getattr(serializer, field.method_name or f"get_{name}")
    if field.source == "*":  # the object itself, shown as a nested shape

        def read(obj):
            return obj

    else:
        read = _attr_path(field.source or name)
    if isinstance(field, serializers.ListSerializer):
        child = plan_for(type(field.child))

        def many(obj):
            value = read(obj)
            if isinstance(value, Manager):
                value = value.all()
            return [dump(item, child) for item in value]

        return many
    if isinstance(field, serializers.BaseSerializer):
        nested = plan_for(type(field))
        return lambda obj: (lambda v: None if v is None else dump(v, nested))(read(obj))
    if isinstance(field, serializers.DateTimeField):
        return lambda obj: format_timestamp(read(obj))
    return read


@cache
def plan_for(serializer_class) -> Plan:
    return Plan(serializer_class)


def dump(obj, plan: Plan, fields=None, expand=()) -> dict:
    """One object as a dict of the names `plan.selected(fields, expand)`."""
    getters = plan.getters
    return {name: getters[name](obj) for name in plan.selected(fields, expand)}
