"""The OpenAPI schema: generated without warnings, complete, and served without auth."""

import json
import re

import pytest
import yaml
from django.core.management import call_command
from django.urls import get_resolver, resolve
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

# The list routes of the contract and their envelope's plural key.
LISTS = {
    "/admin/users": "users",
    "/admin/stock-locations": "stock_locations",
    "/admin/sales-channels": "sales_channels",
    "/admin/products": "products",
    "/admin/variants": "variants",
    "/admin/inventory-items": "inventory_items",
    "/admin/reservations": "reservations",
    "/admin/regions": "regions",
    "/admin/shipping-options": "shipping_options",
    "/admin/draft-orders": "draft_orders",
    "/admin/orders": "orders",
    "/admin/returns": "returns",
}
# Lists whose resources are created, read, updated and deleted at `<list>/{id}`.
CRUD = [
    path for path in LISTS if path not in ("/admin/variants", "/admin/orders", "/admin/returns")
]

# Routes of the contract this app serves (the schema must name them exactly so).
CONTRACT = {
    ("/admin/auth", "get"),
    ("/admin/auth", "post"),
    ("/admin/auth", "delete"),
    ("/admin/auth/token", "post"),
    *((path, method) for path in CRUD for method in ("get", "post")),
    *((f"{path}/{{id}}", method) for path in CRUD for method in ("get", "post", "delete")),
    ("/admin/variants", "get"),
    ("/admin/variants/{id}", "get"),
    ("/admin/variants/{id}/inventory", "get"),
    ("/admin/products/{id}/variants", "post"),
    ("/admin/sales-channels/{id}/stock-locations", "post"),
    ("/admin/sales-channels/{id}/stock-locations", "delete"),
    ("/admin/inventory-items/{id}/location-levels", "get"),
    ("/admin/inventory-items/{id}/location-levels", "post"),
    ("/admin/inventory-items/{id}/location-levels/{location_id}", "post"),
    ("/admin/inventory-items/{id}/location-levels/{location_id}", "delete"),
    ("/admin/inventory-items/location-levels/batch", "post"),  # Medusa v2's, ours
    # The order sections: draft orders, orders, returns.
    ("/admin/draft-orders/{id}/line-items", "post"),
    ("/admin/draft-orders/{id}/line-items/{line_id}", "post"),
    ("/admin/draft-orders/{id}/line-items/{line_id}", "delete"),
    ("/admin/draft-orders/{id}/pay", "post"),
    ("/admin/orders", "get"),
    ("/admin/orders/{id}", "get"),
    ("/admin/orders/{id}", "post"),
    ("/admin/orders/{id}/reservations", "get"),
    ("/admin/orders/{id}/line-items/{line_item_id}/reserve", "post"),
    ("/admin/orders/{id}/fulfillment", "post"),
    ("/admin/orders/{id}/fulfillments/{fulfillment_id}/cancel", "post"),
    ("/admin/orders/{id}/shipment", "post"),
    ("/admin/orders/{id}/return", "post"),
    ("/admin/orders/{id}/cancel", "post"),
    ("/admin/orders/{id}/complete", "post"),
    ("/admin/orders/{id}/archive", "post"),
    ("/admin/returns", "get"),
    ("/admin/returns/{id}/receive", "post"),
    ("/admin/returns/{id}/cancel", "post"),
}
HTTP_METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture(scope="module")
def schema():
    GENERATOR_STATS.reset()
    return SchemaGenerator().get_schema(request=None, public=True)


def _join(prefix: str, route: str) -> str:
    """Join URL pattern strings the way Django's resolver builds `ResolverMatch.route`."""
    return prefix + route.removeprefix("^") if prefix else route


def _view_methods(callback) -> set[str]:
    actions = getattr(callback, "actions", None)
    if actions is not None:  # a ViewSet route: method -> action (DRF adds `head` once served)
        return set(actions) & set(HTTP_METHODS)
    view_class = getattr(callback, "cls", None)
    return {m for m in HTTP_METHODS if view_class is not None and hasattr(view_class, m)}


def admin_routes(patterns=None, prefix="") -> set[tuple[str, str]]:
    """(route pattern, method) of every API view under `admin/`, read from the URLconf."""
    found = set()
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = _join(prefix, str(pattern.pattern))
        if hasattr(pattern, "url_patterns"):
            found |= admin_routes(pattern.url_patterns, route)
        elif route.removeprefix("^").startswith("admin/"):
            found |= {(route, method) for method in _view_methods(pattern.callback)}
    return found


def documented_routes(schema) -> set[tuple[str, str]]:
    """(route pattern, method) that the schema's operations resolve to."""
    found = set()
    for path, operations in schema["paths"].items():
        concrete = re.sub(r"\{[^}]+\}", "x_1", path)
        for method in set(operations) & set(HTTP_METHODS):
            found.add((resolve(concrete).route, method))
    return found


def response_ref(operation) -> str:
    """The component a 200 response refers to (a KeyError when it answers something else)."""
    return operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]


def component(schema, ref: str) -> dict:
    return schema["components"]["schemas"][ref.rsplit("/", 1)[1]]


@pytest.mark.django_db
def test_schema_command_generates_and_validates_without_warnings(tmp_path):
    GENERATOR_STATS.reset()
    target = tmp_path / "schema.yml"
    try:
        call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(target))
    except Exception as error:  # the command raises on the first warning or invalid schema
        warnings = "\n".join([*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache])
        pytest.fail(f"{error}\n{warnings}")
    assert yaml.safe_load(target.read_text())["openapi"].startswith("3.")


@pytest.mark.django_db
def test_schema_generator_reports_no_warnings_and_the_schema_is_valid(schema):
    assert not GENERATOR_STATS, [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache]
    validate_schema(schema)


@pytest.mark.django_db
def test_every_admin_route_is_documented(schema):
    routes = admin_routes()
    assert len(routes) >= len(CONTRACT)
    missing = routes - documented_routes(schema)
    assert not missing


@pytest.mark.django_db
def test_contract_routes_are_documented_without_trailing_slashes(schema):
    documented = {
        (path, method)
        for path, operations in schema["paths"].items()
        for method in operations
        if method in HTTP_METHODS
    }
    assert documented >= CONTRACT, sorted(CONTRACT - documented)
    assert all(path == "/" or not path.endswith("/") for path, _ in documented)


@pytest.mark.django_db
def test_operation_ids_are_unique_and_updates_are_named_so(schema):
    ids = [
        operation["operationId"]
        for operations in schema["paths"].values()
        for method, operation in operations.items()
        if method in HTTP_METHODS
    ]
    assert len(ids) == len(set(ids))
    assert schema["paths"]["/admin/reservations/{id}"]["post"]["operationId"] == (
        "admin_reservations_update"
    )


@pytest.mark.django_db
def test_every_operation_answers_200_like_medusa(schema):
    # Creates answer 200 (not 201) and deletes answer a body with 200 (not 204).
    codes = {
        (path, method): set(operation["responses"])
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if method in HTTP_METHODS
    }
    assert {key: found for key, found in codes.items() if found != {"200"}} == {}


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "plural"), LISTS.items())
def test_list_responses_document_the_envelope(schema, path, plural):
    # given
    operation = schema["paths"][path]["get"]
    # when
    envelope = component(schema, response_ref(operation))
    # then
    properties = envelope["properties"]
    assert set(properties) == {plural, "count", "offset", "limit"}
    assert properties[plural]["type"] == "array"
    assert "$ref" in properties[plural]["items"]
    assert all(properties[key]["type"] == "integer" for key in ("count", "offset", "limit"))
    assert set(envelope["required"]) == {plural, "count", "offset", "limit"}
    parameters = {p["name"] for p in operation["parameters"]}
    assert {"offset", "limit", "order", "expand", "fields"} <= parameters


@pytest.mark.django_db
def test_every_list_operation_documents_an_envelope(schema):
    lists = [
        (path, operations["get"])
        for path, operations in schema["paths"].items()
        if operations.get("get", {}).get("operationId", "").endswith("_list")
    ]
    assert {path for path, _ in lists} >= set(LISTS)
    for path, operation in lists:
        properties = component(schema, response_ref(operation))["properties"]
        arrays = [key for key, value in properties.items() if value.get("type") == "array"]
        assert {"count", "offset", "limit"} <= set(properties), path
        assert len(arrays) == 1, path


@pytest.mark.django_db
def test_reservation_routes_document_filters_and_bodies(schema):
    parameters = {p["name"] for p in schema["paths"]["/admin/reservations"]["get"]["parameters"]}
    assert {
        "location_id",
        "inventory_item_id",
        "line_item_id",
        "created_by",
        "quantity[lt]",
        "quantity[gt]",
        "quantity[lte]",
        "quantity[gte]",
        "description",
        "description[contains]",
        "description[starts_with]",
        "description[ends_with]",
        "created_at[gte]",
        "updated_at[lt]",
    } <= parameters
    body = schema["paths"]["/admin/reservations"]["post"]["requestBody"]
    create = component(schema, body["content"]["application/json"]["schema"]["$ref"])
    assert set(create["required"]) == {"location_id", "inventory_item_id", "quantity"}
    deleted = component(schema, response_ref(schema["paths"]["/admin/reservations/{id}"]["delete"]))
    assert set(deleted["properties"]) == {"id", "object", "deleted"}


@pytest.mark.django_db
def test_the_three_ways_to_authenticate_are_documented(schema):
    schemes = schema["components"]["securitySchemes"]
    assert schemes["jwtAuth"] == {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    assert schemes["apiToken"] == {
        "type": "apiKey",
        "in": "header",
        "name": "x-medusa-access-token",
    }
    assert schemes["cookieAuth"]["in"] == "cookie"
    security = schema["paths"]["/admin/reservations"]["get"]["security"]
    assert security == [{"jwtAuth": []}, {"apiToken": []}, {"cookieAuth": []}]


@pytest.mark.django_db
def test_schema_and_docs_are_served_without_auth(anon):
    schema = anon.get("/api/schema")
    as_json = anon.get("/api/schema?format=json")
    docs = anon.get("/api/docs")
    assert schema.status_code == as_json.status_code == docs.status_code == 200
    assert yaml.safe_load(schema.content)["openapi"].startswith("3.")
    assert json.loads(as_json.content)["paths"]["/admin/reservations"]
    assert docs["Content-Type"].startswith("text/html")
    assert b"/api/schema" in docs.content


@pytest.mark.django_db
def test_order_routes_document_their_bodies_filters_and_answers(schema):
    paths = schema["paths"]

    def required(path: str) -> set[str]:
        body = paths[path]["post"]["requestBody"]["content"]["application/json"]["schema"]
        return set(component(schema, body["$ref"]).get("required", []))

    def answer(path: str, method: str = "post") -> set[str]:
        return set(component(schema, response_ref(paths[path][method]))["properties"])

    def parameters(path: str) -> set[str]:
        return {p["name"] for p in paths[path]["get"]["parameters"]}

    assert required("/admin/regions") == {"name", "currency_code"}
    assert required("/admin/shipping-options") == {"name", "region_id"}
    assert required("/admin/draft-orders") == {"email"}
    assert required("/admin/draft-orders/{id}/line-items") == {"quantity"}
    assert required("/admin/orders/{id}/fulfillment") == {"items"}
    assert required("/admin/orders/{id}/return") == {"items"}
    assert required("/admin/orders/{id}/line-items/{line_item_id}/reserve") == {"location_id"}
    assert answer("/admin/draft-orders/{id}/pay") == {"order"}
    assert answer("/admin/draft-orders/{id}/line-items/{line_id}", "delete") == {"draft_order"}
    assert answer("/admin/orders/{id}/line-items/{line_item_id}/reserve") == {"reservation"}
    assert answer("/admin/orders/{id}/cancel") == {"order"}
    assert answer("/admin/returns/{id}/receive") == {"return"}
    for path in ("/admin/regions/{id}", "/admin/shipping-options/{id}", "/admin/draft-orders/{id}"):
        assert answer(path, "delete") == {"id", "object", "deleted"}
    assert {"q", "status"} <= parameters("/admin/draft-orders")
    assert "region_id" in parameters("/admin/shipping-options")
    assert {
        "q",
        "status",
        "fulfillment_status",
        "payment_status",
        "sales_channel_id",
        "created_at[gte]",
    } <= parameters("/admin/orders")
