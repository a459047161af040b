"""Filter types shared by every FilterSet."""

from functools import reduce
from operator import or_

import django_filters
from django.db.models import Q


class InFilter(django_filters.BaseInFilter, django_filters.CharFilter):
    """One value or several (`a`, `a,b`, `a[]=..`, `a[0]=..`): equality or IN."""

    def __init__(self, field_name=None, **kwargs):
        kwargs.setdefault("lookup_expr", "in")
        kwargs.setdefault("distinct", False)
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


class TrueFilter(django_filters.CharFilter):
    """Medusa's boolean query values: `true` is true, anything else false."""

    def filter(self, qs, value):
        if value in (None, ""):
            return qs
        return qs.filter(**{self.field_name: value.strip().lower() == "true"})


def comparisons(*names: str) -> dict[str, list[str]]:
    """`Meta.fields` entries for `name[lt|gt|lte|gte]`."""
    return {name: ["lt", "gt", "lte", "gte"] for name in names}
