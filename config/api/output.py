"""Fast rendering of output serializers.

Output serializers describe the JSON shapes (and document them through drf-spectacular);
rendering walks a plan compiled once per class instead of DRF's per-field machinery.
Fields listed in a serializer's `Meta.expandable` appear only when `expand` names them.
"""

import datetime as dt
from functools import cache

from django.db.models import Manager
from rest_framework import serializers


def format_timestamp(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(dt.UTC).isoformat(timespec="milliseconds")[:-6] + "Z"


class Timestamp(serializers.DateTimeField):
    """ISO-8601 UTC with milliseconds: `2026-11-23T12:35:57.197Z`."""

    def to_representation(self, value):
        return format_timestamp(value)


class Plan:
    def __init__(self, serializer_class):
        serializer = serializer_class()
        meta = getattr(serializer_class, "Meta", None)
        self.expandable = frozenset(getattr(meta, "expandable", ()))
        names = [name for name in serializer.fields if name not in self.expandable]
        self.names = sorted(names, key=lambda name: name != "id")  # `id` first, then as declared
        self.getters = {name: _getter(serializer, name, f) for name, f in serializer.fields.items()}


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
    """One object as a dict; `fields` keeps only those columns (plus `id`)."""
    getters = plan.getters
    names = plan.names if fields is None else [n for n in plan.names if n in fields or n == "id"]
    data = {name: getters[name](obj) for name in names}
    for name in expand:
        data[name] = getters[name](obj)
    return data
