"""The OpenAPI description (drf-spectacular), all in one place.

- `AutoSchema`: a tag per resource, a summary per operation, the error answers each route
  gives (`{type, message, code?}`), relations shown only with `expand` not required, and
  request bodies that take no undeclared property (the API refuses them).
- `documented`: the CRUD actions of a viewset, with typed list parameters (`offset`,
  `limit`, `order`, `expand`, `fields` and the filters, as Medusa's clients write them).
- Hooks: paths without trailing slashes; reads that take `fields` answer a selection.
"""

import copy
from functools import cache

from django.conf import settings
from django_filters.filters import DateTimeFilter, IsoDateTimeFilter
from django_filters.utils import get_model_field
from drf_spectacular import openapi
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import get_doc
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_serializer,
    inline_serializer,
)
from rest_framework import serializers

from config.api import idempotency
from config.api.fields import MAX_JSON_DEPTH, MAX_JSON_NUMBER
from config.api.filters import BoolFilter, InFilter, IntegerFilter, column_choices, column_range
from config.api.limits import MAX_URL_LENGTH
from config.api.output import plan_for
from config.api.query import MAX_LIMIT, MAX_OFFSET, display_key
from config.api.serializers import Input, Output
from config.api.viewsets import ResourceViewSet

# Tags, by the first segment of the path after `/admin/` (or the path's own first segment).
TAGS = {
    "auth": ("Auth", "Sign in with a session cookie or for a token; who is signed in."),
    "users": ("Users", "Staff users and their roles (`admin`, `member`, `developer`)."),
    "stock-locations": ("Stock Locations", "Places where stock is kept."),
    "sales-channels": ("Sales Channels", "Channels, and the locations that serve each."),
    "products": ("Products", "A small catalog: products and their variants."),
    "variants": ("Product Variants", "Variants, and the inventory behind each."),
    "inventory-items": ("Inventory Items", "Items and their stock levels at each location."),
    "stock-movements": ("Stock Movements", "The stock ledger: every change of a level."),
    "stock-transfers": ("Stock Transfers", "Stock moved between locations."),
    "reservations": ("Reservations", "Units held at a level, for an order line or not."),
    "regions": ("Regions", "Regions, with their currency and tax rate."),
    "shipping-options": ("Shipping Options", "Ways to ship in a region."),
    "draft-orders": ("Draft Orders", "Orders being put together; paying one places it."),
    "orders": ("Orders", "Placed orders: reservations, fulfillments, returns."),
    "returns": ("Returns", "Returns of order lines, received back into stock."),
    "health": ("Health", "Probes for load balancers, without authentication."),
}

ERROR_TYPES = [
    "invalid_data",
    "not_allowed",
    "unauthorized",
    "forbidden",
    "not_found",
    "conflict",
    "duplicate_error",
    "too_many_requests",
    "unavailable",
    "unknown_error",
]
ERRORS = {
    400: "Invalid data (`invalid_data`), or not allowed in the current state (`not_allowed`)",
    401: "No or bad credentials (`unauthorized`)",
    403: "The user's role does not allow it (`forbidden`)",
    404: "Not found (`not_found`): an id in the path or the body",
    409: "Conflict (`conflict`): with another request, or with records that depend on it",
    414: f"The URL is longer than {MAX_URL_LENGTH} characters (`invalid_data`)",
    422: "A unique value already exists, or the `Idempotency-Key` was used for another "
    "request (`duplicate_error`)",
    429: "Too many failed sign-ins (`too_many_requests`); `Retry-After` says when to retry",
    503: "The database cannot be reached (`unavailable`); retry later",
}


# A string with a character `str.strip` keeps (blank once trimmed is "should not be empty"),
# its whitespace written out: `\s` differs between languages (\x1c-\x1f, \x85, \ufeff).
NOT_BLANK = (
    r"[^\u0009-\u000d\u001c-\u0020\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
)
# Django's email check wants a top-level domain of 2 to 63 letters, digits or inner dashes.
EMAIL_DOMAIN = r"\.[A-Za-z0-9-]{1,62}[A-Za-z0-9]$"
SIGN_INS = {("POST", "/admin/auth"), ("POST", "/admin/auth/token")}

JSON_VALUE = {  # what `metadata` and other free JSON may hold (`config.api.fields`)
    "description": f"Any JSON, nested at most {MAX_JSON_DEPTH} deep, whose numbers lie within "
    f"±{MAX_JSON_NUMBER} (PostgreSQL keeps 1e300 as a 301-digit integer no client reads).",
    "nullable": True,
    "anyOf": [
        {"type": "string"},
        {"type": "boolean"},
        {"type": "number", "minimum": -MAX_JSON_NUMBER, "maximum": MAX_JSON_NUMBER},
        {"type": "array", "items": {"$ref": "#/components/schemas/JsonValue"}},
        {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/JsonValue"}},
    ],
}


class ErrorOutput(Output):
    """An error: what kind (`type`), what went wrong (`message`), sometimes a `code`."""

    type = serializers.ChoiceField(choices=ERROR_TYPES)
    message = serializers.CharField()
    code = serializers.CharField(required=False)


def error_response(status: int) -> OpenApiResponse:
    return OpenApiResponse(ErrorOutput, description=ERRORS[status])


RETRY_AFTER = OpenApiParameter(
    "Retry-After",
    int,
    OpenApiParameter.HEADER,
    response=[429],
    required=True,
    description="Seconds until sign-in is allowed again.",
)


def error_statuses(method: str, path: str, *, authenticated: bool) -> set[int]:
    """The error answers a route under `/admin` gives."""
    if (method, path) in SIGN_INS:
        return {400, 401, 414, 429, 503}
    if path == "/admin/auth":  # whoami and sign-out take no input
        return {401, 414, 503}
    statuses = {400, 401, 414, 503} if authenticated else {400, 414, 503}
    if "{" in path or method == "POST":  # an id in the path, or in the body
        statuses.add(404)
    if method in ("POST", "DELETE"):
        # a lock wait or a record still in use; a unique value taken or an Idempotency-Key
        # used for another request
        statuses.update((409, 422))
    if path.startswith("/admin/users") and method != "GET":
        statuses.add(403)
    return statuses


def _article(noun: str) -> str:
    return ("an " if noun[0] in "aeio" else "a ") + noun  # "a user"


IDEMPOTENCY_KEY = OpenApiParameter(
    idempotency.HEADER,
    str,
    OpenApiParameter.HEADER,
    pattern=f"^{idempotency.VALID_KEY.pattern}$",
    description="1-255 visible ASCII characters, new for each write: a repeat within 24 hours "
    "answers the first answer again (with `Idempotent-Replayed: true`) and changes nothing; "
    "the same key with another method, path or body is refused (422 "
    "`idempotency_key_reused`). 409 and 5xx answers are not kept: retry them with the key.",
)


class AutoSchema(openapi.AutoSchema):
    """Tags, summaries and error answers as the module says, and Medusa's conventions:
    creates and deletes answer 200 with a body, and a `POST` on a path that ends in an id is
    an update (so its operation id ends in `_update`)."""

    def get_operation_id(self):
        operation_id = super().get_operation_id()
        if self.method == "POST" and self.path.rstrip("/").endswith("}"):
            return operation_id.removesuffix("_create") + "_update"
        return operation_id

    def get_tags(self):
        parts = self.path.strip("/").split("/")
        return [TAGS[parts[1] if parts[0] == "admin" else parts[0]][0]]

    def _docstring(self) -> list[str]:
        """The operation's own docstring (not its viewset's): summary, then description."""
        action = getattr(self.view, "action", None)
        method = getattr(self.view, action or self.method.lower(), None)
        return get_doc(method).split("\n\n", 1) if method is not None else [""]

    def get_summary(self):
        own = self._docstring()[0]
        if own:
            return own.rstrip(".")
        view, action = self.view, getattr(self.view, "action", None)
        one = view.resource.replace("_", " ")
        defaults = {
            "list": f"List {view.plural.replace('_', ' ')}",
            "retrieve": f"Get {_article(one)}",
            "create": f"Create {_article(one)}",
            "update": f"Update {_article(one)}",
            "destroy": f"Delete {_article(one)}",
        }
        return defaults[action]

    def get_description(self):
        parts = self._docstring()
        return parts[1] if len(parts) > 1 else ""

    def _is_create_operation(self):
        return False  # 200, not 201

    def get_request_serializer(self):
        return None  # a body only where `extend_schema(request=...)` declares one

    def _get_request_body(self, direction="request"):
        if self.method != "DELETE" or self.get_request_serializer() is None:
            return super()._get_request_body(direction)
        # Medusa's unlink takes its body on DELETE; drf-spectacular documents one on POST.
        self.method = "POST"
        try:
            return super()._get_request_body(direction)
        finally:
            self.method = "DELETE"

    def _error_statuses(self) -> set[int]:
        if not self.path.startswith("/admin/"):
            return set()  # the health probes say their own
        return error_statuses(self.method, self.path, authenticated=bool(self.get_auth()))

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        if 429 in self._error_statuses():
            parameters = [*parameters, RETRY_AFTER]
        if self.method in idempotency.METHODS and isinstance(self.view, ResourceViewSet):
            parameters = [*parameters, IDEMPOTENCY_KEY]
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if self.method == "DELETE" and set(responses) == {"204"}:  # drf-spectacular's default
            serializer = self.get_response_serializers()
            responses = {"200": self._get_response_for_code(serializer, "200", direction=direction)}
        for status in sorted(self._error_statuses()):
            code = str(status)
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    error_response(status), code, ["application/json"], direction
                )
        return responses

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if direction != "request" or schema.get("type") != "string":
            return schema
        if isinstance(field, serializers.EmailField):
            schema["pattern"] = EMAIL_DOMAIN
        elif getattr(field, "trim_whitespace", False) and not field.allow_blank:
            schema.setdefault("pattern", NOT_BLANK)
        return schema

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        meta = getattr(serializer, "Meta", None)
        expandable = set(getattr(meta, "expandable", ()))
        if expandable and "required" in schema:  # relations appear only when expanded
            schema["required"] = [name for name in schema["required"] if name not in expandable]
        cls = serializer if isinstance(serializer, type) else type(serializer)
        if issubclass(cls, Input):  # the API refuses undeclared properties
            schema["additionalProperties"] = False
        if not cls.__dict__.get("__doc__"):  # not the generic words of Input or Output
            schema.pop("description", None)
        return schema


# Query parameters --------------------------------------------------------------------------


def _csv(items: dict) -> dict:
    """A comma-separated list, as `expand=a,b` (Medusa's clients also send `key[]=a`)."""
    return {"type": "array", "items": items}


def _parameter(name: str, schema: dict, description: str) -> OpenApiParameter:
    array = schema.get("type") == "array"
    return OpenApiParameter(name, schema, description=description, explode=False if array else None)


def _filter_schema(model, filter_) -> dict:
    column = get_model_field(model, filter_.field_name)
    if isinstance(filter_, BoolFilter):
        return {"type": "boolean"}
    if isinstance(filter_, IntegerFilter):
        lowest, highest = column_range(column)
        number = {"type": "integer", "minimum": lowest, "maximum": highest}
        return _csv(number) if filter_.lookup_expr == "in" else number
    if isinstance(filter_, InFilter):
        # Free text goes as one string, `a,b` (an array of strings says nothing more on the
        # wire, where a value of any type is a string).
        choices = column_choices(model, filter_.field_name)
        return _csv({"type": "string", "enum": choices}) if choices else {"type": "string"}
    if isinstance(filter_, (IsoDateTimeFilter, DateTimeFilter)):
        return {"type": "string", "format": "date-time"}
    return {"type": "string"}


_PHRASES = {
    "exact": "is",
    "lt": "is less than",
    "gt": "is greater than",
    "lte": "is at most",
    "gte": "is at least",
    "icontains": "contains (any case)",
    "istartswith": "starts with (any case)",
    "iendswith": "ends with (any case)",
}


def filter_parameters(filterset_class) -> list[OpenApiParameter]:
    """A FilterSet's filters, typed, the way Medusa's clients write them."""
    model = filterset_class._meta.model
    parameters = []
    for name, filter_ in filterset_class.base_filters.items():
        if filter_.label:
            description = filter_.label
        elif filter_.lookup_expr == "in":
            description = f"`{filter_.field_name}` is one of these (comma-separated)"
        else:
            description = f"`{filter_.field_name}` {_PHRASES[filter_.lookup_expr]} this"
        schema = _filter_schema(model, filter_)
        parameters.append(_parameter(display_key(name), schema, description))
    return parameters


def detail_parameters(output) -> list[OpenApiParameter]:
    plan = plan_for(output)
    parameters = [
        _parameter(
            "fields",
            _csv({"type": "string", "enum": plan.names}),
            "Only these fields (and `id`).",
        )
    ]
    if plan.expandable:
        relations = _csv({"type": "string", "enum": sorted(plan.expandable)})
        parameters.insert(0, _parameter("expand", relations, "Include these relations."))
    return parameters


def list_parameters(
    output, *, order_fields, default_order="-created_at", default_limit=20, filterset=None
) -> list[OpenApiParameter]:
    orders = sorted(order_fields)
    return [
        _parameter(
            "offset",
            {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET},
            "Rows to skip (default 0).",
        ),
        _parameter(
            "limit",
            {"type": "integer", "minimum": 0, "maximum": MAX_LIMIT},
            f"Rows to return (default {default_limit}).",
        ),
        _parameter(
            "order",
            {"type": "string", "enum": orders + [f"-{name}" for name in orders]},
            f"Sort by this field, descending with `-` (default `{default_order}`).",
        ),
        *detail_parameters(output),
        *(filter_parameters(filterset) if filterset else []),
    ]


# Envelopes ---------------------------------------------------------------------------------


@cache
def envelope(name: str, output: type[serializers.Serializer]):
    return inline_serializer(name=f"{output.__name__}Envelope_{name}", fields={name: output()})


@cache
def list_envelope(plural: str, output: type[serializers.Serializer]):
    # many=False: the envelope is one object, though a list action answers it.
    return extend_schema_serializer(many=False)(
        inline_serializer(
            name=f"{output.__name__}ListEnvelope_{plural}",
            fields={
                plural: output(many=True),
                "count": serializers.IntegerField(),
                "offset": serializers.IntegerField(),
                "limit": serializers.IntegerField(),
            },
        )
    )


DELETED = inline_serializer(
    name="Deleted",
    fields={
        "id": serializers.CharField(),
        "object": serializers.CharField(),
        "deleted": serializers.BooleanField(),
    },
)


def documented(viewset):
    """Class decorator: the OpenAPI description of the CRUD actions a viewset has."""
    out, name, plural = viewset.output, viewset.resource, viewset.plural
    detail = viewset.detail_output or out
    params = list_parameters(
        out,
        order_fields=viewset.order_fields,
        default_order=viewset.default_order,
        default_limit=viewset.default_limit,
        filterset=viewset.filterset,
    )
    docs = {
        "list": extend_schema(parameters=params, responses=list_envelope(plural, out)),
        "retrieve": extend_schema(
            parameters=detail_parameters(detail), responses=envelope(name, detail)
        ),
        "create": extend_schema(request=viewset.create_input, responses=envelope(name, detail)),
        "update": extend_schema(request=viewset.update_input, responses=envelope(name, detail)),
        "destroy": extend_schema(responses=DELETED),
    }
    for action_name, doc in docs.items():
        method = getattr(viewset, action_name, None)
        if method is not None:
            setattr(viewset, action_name, doc(_own(viewset, action_name, method)))
    return viewset


def _own(viewset, action_name, method):
    """The viewset's own function for an action (extend_schema annotates the function)."""
    if action_name in viewset.__dict__:
        return method

    def own(self, *args, **kwargs):
        return method(self, *args, **kwargs)

    own.__name__, own.__doc__ = method.__name__, method.__doc__
    return own


# Hooks -------------------------------------------------------------------------------------


def drop_trailing_slashes(endpoints, **kwargs):
    """Preprocessing hook: the routes accept an optional slash; document them without it."""
    return [
        (path.rstrip("/") or "/", path_regex, method, callback)
        for path, path_regex, method, callback in endpoints
    ]


def postprocess(result, generator, request, public):
    """Postprocessing hook: what the views cannot declare (see the functions it calls)."""
    _selections(result)
    _empty_query_values(result)
    result["components"]["schemas"]["JsonValue"] = JSON_VALUE
    result["tags"] = [{"name": name, "description": text} for name, text in TAGS.values()]
    return result


def _operations(result):
    for operations in result["paths"].values():
        yield from (op for method, op in operations.items() if method in ("get", "post", "delete"))


def _empty_query_values(result) -> None:
    """An empty query value (`limit=`, `status=`) means the default: no filter."""
    for operation in _operations(result):
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "query":
                parameter["allowEmptyValue"] = True


def _selections(result) -> None:
    """A read that takes `fields` answers rows with only those fields (and `id`), so its rows
    are the full shape or such a selection."""
    schemas = result["components"]["schemas"]
    for operations in result["paths"].values():
        read = operations.get("get")
        if read is None or not any(p["name"] == "fields" for p in read.get("parameters", [])):
            continue
        content = read["responses"]["200"]["content"]["application/json"]
        envelope_name = content["schema"]["$ref"].rsplit("/", 1)[1]
        read_name = envelope_name.replace("Envelope", "ReadEnvelope", 1)
        if read_name not in schemas:
            schemas[read_name] = _selectable(schemas, schemas[envelope_name])
        content["schema"] = {"$ref": f"#/components/schemas/{read_name}"}


def _selectable(schemas: dict, envelope_schema: dict) -> dict:
    """The envelope, with its row (or rows) either the full shape or a `fields` selection."""
    envelope_schema = copy.deepcopy(envelope_schema)
    for prop in envelope_schema["properties"].values():
        holder = prop["items"] if prop.get("type") == "array" else prop
        if "$ref" not in holder:
            continue
        row = holder.pop("$ref").rsplit("/", 1)[1]
        selection = f"{row}Selection"
        if selection not in schemas:
            schemas[selection] = {
                **copy.deepcopy(schemas[row]),
                "description": f"The fields of {row} that `fields` names, and `id`.",
                "required": ["id"],
            }
        holder["anyOf"] = [
            {"$ref": f"#/components/schemas/{row}"},
            {"$ref": f"#/components/schemas/{selection}"},
        ]
    return envelope_schema


# Authentication ----------------------------------------------------------------------------


class BearerScheme(OpenApiAuthenticationExtension):
    target_class = "config.api.auth.BearerAuthentication"
    name = "jwtAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "config.api.auth.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "x-medusa-access-token"}


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = "config.api.auth.JsonSessionAuthentication"
    name = "cookieAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": settings.SESSION_COOKIE_NAME}
