"""Strict input fields: JSON types are not coerced, and messages name the rule broken."""

import math
import re

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.api.output import JSON_OBJECT, JSON_VALUE

MAX_INT = 2**31 - 1

COMMON_MESSAGES = {
    "required": "is required",
    "null": "must not be null",
}


class Int(serializers.IntegerField):
    default_error_messages = {
        **COMMON_MESSAGES,
        "invalid": "must be an integer",
        "max_value": "must not be greater than {max_value}",
        "min_value": "must not be less than {min_value}",
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_value", MAX_INT)
        kwargs.setdefault("min_value", -MAX_INT)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, (int, float)):
            self.fail("invalid")
        if isinstance(data, float) and not (math.isfinite(data) and data.is_integer()):
            self.fail("invalid")
        return super().to_internal_value(int(data))


@extend_schema_field({"type": "number", "minimum": 0, "maximum": 100, "multipleOf": 0.01})
class Rate(serializers.DecimalField):
    """A percentage such as a tax rate: a JSON number from 0 to 100, at most 2 decimals."""

    default_error_messages = {
        **COMMON_MESSAGES,
        "invalid": "must be a number",
        "max_value": "must not be greater than {max_value}",
        "min_value": "must not be less than {min_value}",
        "max_decimal_places": "must have at most {max_decimal_places} decimal places",
    }

    def __init__(self, **kwargs):
        kwargs.update(max_digits=None, decimal_places=2, min_value=0, max_value=100)
        super().__init__(coerce_to_string=False, **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, (int, float)):
            self.fail("invalid")
        if data > self.max_value:  # before DRF quantizes it (1e300 would overflow)
            self.fail("max_value", max_value=self.max_value)
        if data < self.min_value:
            self.fail("min_value", min_value=self.min_value)
        return super().to_internal_value(data)


@extend_schema_field({"type": "integer", "not": {"enum": [0]}})
class NonZeroInt(Int):
    """An integer other than zero, such as a change of stock."""

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if value == 0:
            raise serializers.ValidationError("must not be zero", code="invalid")
        return value


class Quantity(Int):
    """A count of units: zero or more."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 0)
        super().__init__(**kwargs)


class PositiveInt(Int):
    default_error_messages = {
        "invalid": "must be a positive integer",
        "min_value": "must be a positive integer",
    }

    def __init__(self, **kwargs):
        kwargs["min_value"] = 1
        super().__init__(**kwargs)


class Str(serializers.CharField):
    default_error_messages = {
        **COMMON_MESSAGES,
        "invalid": "must be a string",
        "blank": "should not be empty",
        "max_length": "must be shorter than or equal to {max_length} characters",
        "min_length": "must be longer than or equal to {min_length} characters",
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 255)
        super().__init__(**kwargs)
        for validator in self.validators:
            if type(validator).__name__ == "ProhibitNullCharactersValidator":
                validator.message = "must not contain null characters"
            if type(validator).__name__ == "ProhibitSurrogateCharactersValidator":
                validator.message = "must not contain surrogate characters"

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class Text(Str):
    """Free text such as a description."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 10_000)
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)


class Id(Str):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 64)
        super().__init__(**kwargs)


class Timestamp(serializers.DateTimeField):
    """An ISO 8601 timestamp (UTC when it names no offset)."""

    default_error_messages = {
        **COMMON_MESSAGES,
        "invalid": "must be an ISO 8601 timestamp",
        "date": "must be an ISO 8601 timestamp",
        "overflow": "must be an ISO 8601 timestamp",
    }

    def to_internal_value(self, value):
        if not isinstance(value, str):
            self.fail("invalid")
        return super().to_internal_value(value)


class Email(serializers.EmailField, Str):
    default_error_messages = {"invalid": "must be an email"}


class Bool(serializers.BooleanField):
    default_error_messages = {**COMMON_MESSAGES, "invalid": "must be a boolean"}

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


_SURROGATE = re.compile("[\ud800-\udfff]")
MAX_JSON_NUMBER = 2**63 - 1


MAX_JSON_DEPTH = 20


def text_problem(value: str) -> str | None:
    """What text the database cannot store: null or (lone) surrogate characters."""
    if "\x00" in value:
        return "must not contain null characters"
    return "must not contain surrogate characters" if _SURROGATE.search(value) else None


def _json_problem(value, depth=0) -> str | None:
    if depth > MAX_JSON_DEPTH:
        return "is nested too deeply"
    if isinstance(value, str):
        return text_problem(value)
    # PostgreSQL's jsonb writes 1e300 back as a 301-digit integer, which the JSON renderer
    # cannot write (nor clients read); a number past the double range (1e400) arrives as inf.
    if isinstance(value, (int, float)) and not isinstance(value, bool) and not abs(value) < 2**63:
        return f"must contain numbers from {-MAX_JSON_NUMBER} to {MAX_JSON_NUMBER}"
    if isinstance(value, dict):
        items = list(value.keys()) + list(value.values())
    elif isinstance(value, list):
        items = value
    else:
        return None
    for item in items:
        problem = _json_problem(item, depth + 1)
        if problem:
            return problem
    return None


@extend_schema_field(JSON_OBJECT)
class JsonObject(serializers.JSONField):
    """A JSON object such as `metadata`: storable as-is in PostgreSQL jsonb."""

    default_error_messages = {**COMMON_MESSAGES, "invalid": "must be an object"}

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            self.fail("invalid")
        problem = _json_problem(data)
        if problem:
            raise serializers.ValidationError(problem, code="invalid")
        return data


@extend_schema_field(JSON_VALUE)
class JsonValue(JsonObject):
    """Any JSON value kept as given (lists of tags, images and the like)."""

    default_error_messages = {"invalid": "must be valid JSON"}

    def to_internal_value(self, data):
        problem = _json_problem(data)
        if problem:
            raise serializers.ValidationError(problem, code="invalid")
        return data


class List(serializers.ListField):
    default_error_messages = {
        **COMMON_MESSAGES,
        "not_a_list": "must be an array",
        "empty": "should not be empty",
        "min_length": "must contain at least {min_length} elements",
        "max_length": "must contain no more than {max_length} elements",
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 1000)
        super().__init__(**kwargs)
