"""Medusa's `qs` query strings: `a[]=x`, `a[0]=x`, `a=x,y`, `n[gt]=1`, and the list params."""

import datetime as dt
import re
from dataclasses import dataclass

from django_filters import FilterSet
from django_filters.filters import DateTimeFilter, IsoDateTimeFilter, NumberFilter

from config.errors import InvalidData

MAX_LIMIT = 1000
MAX_OFFSET = 10**9
LIST_PARAMS = ("offset", "limit", "order", "expand", "fields")
OPERATORS = {
    "lt": "lt",
    "gt": "gt",
    "lte": "lte",
    "gte": "gte",
    "contains": "icontains",
    "starts_with": "istartswith",
    "ends_with": "iendswith",
}
_KEY = re.compile(r"([A-Za-z_]\w*)(?:\[(\w*)\])?")


def display_key(key: str) -> str:
    """`quantity__gt` -> `quantity[gt]`, as the client wrote it."""
    name, _, op = key.partition("__")
    reverse = {v: k for k, v in OPERATORS.items()}
    return f"{name}[{reverse.get(op, op)}]" if op else name


def parse_query(querydict) -> dict:
    """Flatten a query string into filter data: arrays become CSV, operators `key__op`."""
    arrays: dict[str, list[str]] = {}
    data: dict[str, str] = {}
    for raw_key, values in querydict.lists():
        if any("\x00" in v for v in values) or "\x00" in raw_key:
            raise InvalidData(f"{raw_key} must not contain null characters")
        match = _KEY.fullmatch(raw_key)
        if not match:
            raise InvalidData(f"property {raw_key} should not exist")
        key, sub = match.groups()
        if sub is None and len(values) == 1:
            data[key] = values[0]
        elif sub is None or sub == "" or sub.isdigit():
            arrays.setdefault(key, []).extend(values)
        elif sub in OPERATORS:
            data[f"{key}__{OPERATORS[sub]}"] = values[-1]
        else:
            raise InvalidData(f"{raw_key} uses an unknown operator {sub}")
    for key, values in arrays.items():
        if key in data:
            values = [data[key], *values]
        data[key] = ",".join(v for value in values for v in value.split(",") if v)
    return data


@dataclass
class ListParams:
    offset: int
    limit: int
    order: list[str]
    expand: tuple[str, ...]
    fields: set[str] | None
    filters: dict


def _int_param(data: dict, name: str, default: int, maximum: int) -> int:
    raw = data.pop(name, None)
    if raw is None or not raw.strip():  # `limit=` as some clients send it: the default
        return default
    if not re.fullmatch(r"[0-9]{1,10}", raw.strip()):  # ASCII digits only
        raise InvalidData(f"{name} must be a non-negative integer")
    value = int(raw)
    if value > maximum:
        raise InvalidData(f"{name} must not be greater than {maximum}")
    return value


def csv_param(data: dict, name: str, allowed, what: str) -> list[str] | None:
    raw = data.pop(name, None)
    if raw is None:
        return None
    values = [v.strip() for v in raw.split(",") if v.strip()]
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise InvalidData(
            f"{name} has unknown {what} {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}"
        )
    return values


def detail_params(querydict, *, expandable, fields) -> tuple[tuple[str, ...], set[str] | None]:
    """`expand` and `fields` of a single-object read."""
    data = parse_query(querydict)
    expand = tuple(csv_param(data, "expand", expandable, "relations") or ())
    chosen = csv_param(data, "fields", fields, "fields")
    unknown = [k for k in data]
    if unknown:
        raise InvalidData(", ".join(f"property {display_key(k)} should not exist" for k in unknown))
    return expand, (set(chosen) if chosen else None)


def list_params(
    querydict, *, default_limit: int, order_fields, default_order: str, expandable, fields
) -> ListParams:
    data = parse_query(querydict)
    offset = _int_param(data, "offset", 0, MAX_OFFSET)
    limit = _int_param(data, "limit", default_limit, MAX_LIMIT)
    order_raw = data.pop("order", None) or default_order
    order = []
    for term in order_raw.split(","):
        term = term.strip()
        if term.removeprefix("-") not in order_fields:
            raise InvalidData(
                f"order must name one of {', '.join(sorted(order_fields))}, optionally with '-'"
            )
        order.append(term)
    expand = tuple(csv_param(data, "expand", expandable, "relations") or ())
    chosen = csv_param(data, "fields", fields, "fields")
    return ListParams(offset, limit, order, expand, set(chosen) if chosen else None, data)


_TYPE_PHRASES = (
    ((IsoDateTimeFilter, DateTimeFilter), "must be an ISO-8601 date"),
    ((NumberFilter,), "must be a number"),
)


def apply_filterset(filterset_class: type[FilterSet], data: dict, queryset):
    """Filter `queryset` by the parsed query; unknown keys and bad values are 400s."""
    if not data:
        return queryset
    unknown = [key for key in data if key not in filterset_class.base_filters]
    if unknown:
        raise InvalidData(", ".join(f"property {display_key(k)} should not exist" for k in unknown))
    filterset = filterset_class(data=data, queryset=queryset)
    if not filterset.is_valid():
        messages = []
        for key, errors in filterset.errors.items():
            filter_ = filterset.filters.get(key)
            phrase = next((p for types, p in _TYPE_PHRASES if isinstance(filter_, types)), None)
            messages.append(f"{display_key(key)} {phrase or ' '.join(errors)}")
        raise InvalidData(", ".join(messages))
    for key, value in filterset.form.cleaned_data.items():
        if isinstance(value, dt.datetime):
            try:  # the database stores UTC: year 1 at +14:00 has no UTC value
                value.astimezone(dt.UTC)
            except OverflowError:
                raise InvalidData(f"{display_key(key)} is out of range") from None
    return filterset.qs
