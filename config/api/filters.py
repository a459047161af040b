"""Filter types shared by every FilterSet."""

import re
from functools import reduce
from operator import or_

import django_filters
from django import forms
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.models import Q
from django_filters.filterset import FILTER_FOR_DBFIELD_DEFAULTS
from django_filters.utils import get_model_field

_INTEGER = re.compile(r"[+-]?[0-9]{1,20}")  # ASCII digits: '²'.isdigit(), but int('²') fails


def parse_integer(text: str, lowest: int, highest: int) -> int | None:
    """`text` as an integer from `lowest` to `highest`, or None."""
    text = text.strip()
    if not _INTEGER.fullmatch(text):
        return None
    number = int(text)
    return number if lowest <= number <= highest else None


class IntegerValue(forms.Field):
    """An integer query value within `min_value..max_value` (a column's range)."""

    def __init__(self, *, min_value: int, max_value: int, **kwargs):
        self.min_value, self.max_value = min_value, max_value
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        number = parse_integer(value, self.min_value, self.max_value)
        if number is None:
            raise forms.ValidationError(
                f"must be an integer from {self.min_value} to {self.max_value}", code="invalid"
            )
        return number


def column_range(field: models.Field) -> tuple[int, int]:
    """The values an integer column holds, by its declared type (the same on every database:
    SQLite would take any 64-bit value)."""
    return BaseDatabaseOperations.integer_field_ranges[field.get_internal_type()]


class IntegerFilter(django_filters.Filter):
    """A filter on an integer column: anything but an integer the column can hold is a 400."""

    field_class = IntegerValue

    @property
    def field(self):
        if not hasattr(self, "_field"):
            lowest, highest = column_range(get_model_field(self.model, self.field_name))
            self.extra.update(min_value=lowest, max_value=highest)
        return super().field


class BooleanValue(forms.Field):
    """Medusa's boolean query value: `true` or `false` (any case)."""

    VALUES = {"true": True, "false": False}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return self.VALUES[value.strip().lower()]
        except KeyError:
            raise forms.ValidationError("must be a boolean", code="invalid") from None


class BoolFilter(django_filters.Filter):
    """A filter on a boolean column: `true` or `false`, anything else is a 400."""

    field_class = BooleanValue


def _defaults_for(column_type: type[models.Field], filter_class) -> dict:
    return {
        field: {"filter_class": filter_class}
        for field in FILTER_FOR_DBFIELD_DEFAULTS
        if issubclass(field, column_type)
    }


class FilterSet(django_filters.FilterSet):
    """The base of every FilterSet: filters generated for integer and boolean columns refuse
    what is not an integer or a boolean."""

    FILTER_DEFAULTS = {
        **FILTER_FOR_DBFIELD_DEFAULTS,
        **_defaults_for(models.IntegerField, IntegerFilter),
        **_defaults_for(models.BooleanField, BoolFilter),
    }


def column_choices(model, field_name: str) -> list[str]:
    """The values a column with `choices` holds (empty for a free column)."""
    column = get_model_field(model, field_name)
    return [str(value) for value, _ in column.flatchoices] if column and column.choices else []


class InFilter(django_filters.BaseInFilter, django_filters.CharFilter):
    """One value or several (`a`, `a,b`, `a[]=..`, `a[0]=..`): equality or IN. On a column
    with choices, a value that is none of them is a 400."""

    def __init__(self, field_name=None, **kwargs):
        kwargs.setdefault("lookup_expr", "in")
        kwargs.setdefault("distinct", False)
        super().__init__(field_name=field_name, **kwargs)

    @property
    def field(self):
        if not hasattr(self, "_field"):
            choices = column_choices(self.model, self.field_name)
            if choices:
                self.extra["validators"] = [_one_of(choices)]
        return super().field


def _one_of(choices: list[str]):
    def validate(value):
        if value not in choices:
            raise forms.ValidationError(f"must be one of {', '.join(choices)}", code="invalid")

    return validate


class IntegerInFilter(django_filters.BaseInFilter, IntegerFilter):
    """`InFilter` on an integer column."""

    def __init__(self, field_name=None, **kwargs):
        kwargs.setdefault("lookup_expr", "in")
        super().__init__(field_name=field_name, **kwargs)


class SearchFilter(django_filters.CharFilter):
    """`q`: case-insensitive substring match on any of `fields`."""

    def __init__(self, *fields: str, **kwargs):
        self.search_fields = fields
        kwargs.setdefault("label", f"Search in {', '.join(fields)}")
        super().__init__(**kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(reduce(or_, (Q(**{f"{f}__icontains": value}) for f in self.search_fields)))


def comparisons(*names: str) -> dict[str, list[str]]:
    """`Meta.fields` entries for `name[lt|gt|lte|gte]`."""
    return {name: ["lt", "gt", "lte", "gte"] for name in names}
