"""The base viewset: envelopes, list params, input validation (`config.api.schema` documents it)."""

from contextlib import contextmanager

import orjson
from django.db import connection, transaction
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.routers import DynamicRoute, Route, SimpleRouter
from rest_framework.viewsets import ViewSet

from config.api import idempotency
from config.api.output import dump, plan_for
from config.api.query import detail_params, list_params
from config.api.sqljson import page_json

ID_PATTERN = r"[A-Za-z0-9_\-]+"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@contextmanager
def write_transaction():
    """One transaction for a write request, the rendering of its answer included.

    The services' own atomic blocks join it without savepoints: any failure fails the whole
    request, so a savepoint would only add two round trips to every write. (On PostgreSQL;
    SQLite's backend makes its savepoints regardless, to the same effect.)
    """
    with transaction.atomic():
        features = connection.features
        features.uses_savepoints = False
        try:
            yield
        finally:
            del features.uses_savepoints  # the backend's own value again


class Router(SimpleRouter):
    """Medusa's routes: `POST` on a detail path updates; a trailing slash is optional."""

    routes = [
        Route(
            url=r"^{prefix}{trailing_slash}$",
            mapping={"get": "list", "post": "create"},
            name="{basename}-list",
            detail=False,
            initkwargs={"suffix": "List"},
        ),
        DynamicRoute(
            url=r"^{prefix}/{url_path}{trailing_slash}$",
            name="{basename}-{url_name}",
            detail=False,
            initkwargs={},
        ),
        Route(
            url=r"^{prefix}/{lookup}{trailing_slash}$",
            mapping={"get": "retrieve", "post": "update", "delete": "destroy"},
            name="{basename}-detail",
            detail=True,
            initkwargs={"suffix": "Instance"},
        ),
        DynamicRoute(
            url=r"^{prefix}/{lookup}/{url_path}{trailing_slash}$",
            name="{basename}-{url_name}",
            detail=True,
            initkwargs={},
        ),
    ]

    def __init__(self):
        super().__init__()
        self.trailing_slash = "/?"


class ResourceViewSet(ViewSet):
    """A Medusa resource: `{name: {...}}`, `{plural: [...], count, offset, limit}`."""

    resource: str  # the envelope key of one object (DRF's viewsets own `name`)
    plural: str
    output: type[serializers.Serializer]
    detail_output: type[serializers.Serializer] | None = None  # when one differs from a row
    create_input: type[serializers.Serializer] | None = None
    update_input: type[serializers.Serializer] | None = None
    filterset = None
    default_limit = 20
    default_order = "-created_at"
    order_fields = frozenset({"id", "created_at", "updated_at"})
    lookup_value_regex = ID_PATTERN

    key: idempotency.Key | None = None  # the request's Idempotency-Key

    def dispatch(self, request, *args, **kwargs):
        """A write and its answer are one transaction: an error, or an answer that cannot be
        rendered, rolls the write back, so nothing fails after the commit. With an
        Idempotency-Key, the answer is kept with it (a refusal's after the rollback); a
        repeat of a kept request is rolled back and gets the kept answer."""
        if request.method not in WRITE_METHODS:
            return super().dispatch(request, *args, **kwargs)
        kept = None
        with write_transaction():
            response = super().dispatch(request, *args, **kwargs)
            if hasattr(response, "render"):  # a view's Response (errors come rendered)
                response.render()
            if response.status_code < 400 and self.key is not None:
                kept = idempotency.keep(self.key, response)
            if response.status_code >= 400 or kept is not None:
                transaction.set_rollback(True)
        if kept is not None:
            return kept
        if self.key is not None and response.status_code >= 400:
            return idempotency.keep_refusal(self.key, response)
        return response

    def initial(self, request, *args, **kwargs):
        """Once the user is known, before the body is parsed: read the Idempotency-Key."""
        super().initial(request, *args, **kwargs)
        if request.method in idempotency.METHODS and self.action is not None:
            self.key = idempotency.key_of(request)

    # Reads the subclass provides (through its app's selectors).
    def list_queryset(self, filters: dict, expand: tuple[str, ...]):
        raise NotImplementedError

    def get_instance(self, pk: str, expand: tuple[str, ...] = ()):
        raise NotImplementedError

    # Helpers for actions.
    @property
    def plan(self):
        return plan_for(self.output)

    def validated(self, input_class, *, partial=False) -> dict:
        serializer = input_class(data=self.request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def one(self, instance, *, name=None, output=None, expand=(), fields=None) -> Response:
        plan = plan_for(output or self.detail_output or self.output)
        return Response({name or self.resource: dump(instance, plan, fields, expand)})

    def deleted(self, pk: str, obj: str | None = None) -> Response:
        return Response({"id": pk, "object": obj or self.resource, "deleted": True})

    def page(self, queryset, params, *, plural=None, output=None) -> Response:
        plan = plan_for(output or self.output)
        names = plan.selected(params.fields, params.expand)
        rows, count = [], None
        if params.limit:
            ordered = queryset.order_by(*params.order, "pk")
            start, stop = params.offset, params.offset + params.limit
            rendered = page_json(ordered, plan, names, start, stop)
            if rendered is None:
                rows = [dump(r, plan, params.fields, params.expand) for r in ordered[start:stop]]
            else:
                texts, count = rendered
                rows = [orjson.Fragment(text) for text in texts]
        if count is None:
            if params.limit and len(rows) < params.limit and (rows or not params.offset):
                count = params.offset + len(rows)  # the last page: no need to count
            else:
                count = queryset.count()
        return Response(
            {
                plural or self.plural: rows,
                "count": count,
                "offset": params.offset,
                "limit": params.limit,
            }
        )

    def list_params(self, output=None, order_fields=None):
        """offset/limit/order/expand/fields for rows of `output` (default: this resource's)."""
        plan = plan_for(output or self.output)
        return list_params(
            self.request.query_params,
            default_limit=self.default_limit,
            order_fields=order_fields or self.order_fields,
            default_order=self.default_order,
            expandable=plan.expandable,
            fields=set(plan.names),
        )

    def detail_params(self):
        plan = plan_for(self.detail_output or self.output)
        return detail_params(
            self.request.query_params, expandable=plan.expandable, fields=set(plan.names)
        )

    # Default actions.
    def list(self, request):
        params = self.list_params()
        return self.page(self.list_queryset(params.filters, params.expand), params)

    def retrieve(self, request, pk):
        expand, fields = self.detail_params()
        instance = self.get_instance(pk, expand)
        return self.one(instance, output=self.detail_output, expand=expand, fields=fields)
