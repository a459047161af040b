"""The OpenAPI schema: generated without warnings, complete, and served without auth."""

import json
import re
import sys

import pytest
import yaml
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.urls import get_resolver, resolve
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

from config.api.schema import NOT_BLANK

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


def operations(schema):
    """(path, method, operation) of every operation."""
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            if method in HTTP_METHODS:
                yield path, method, operation


@pytest.mark.django_db
def test_every_operation_succeeds_with_200_like_medusa(schema):
    # Creates answer 200 (not 201) and deletes answer a body with 200 (not 204).
    successes = {
        (path, method): {code for code in operation["responses"] if code < "400"}
        for path, method, operation in operations(schema)
    }
    assert {key: found for key, found in successes.items() if found != {"200"}} == {}


@pytest.mark.django_db
def test_every_error_answer_is_documented_with_the_error_body(schema):
    error = schema["components"]["schemas"]["ErrorOutput"]
    assert error["required"] == ["message", "type"]
    assert set(error["properties"]) == {"type", "message", "code"}
    types = schema["components"]["schemas"]["ErrorTypeEnum"]["enum"]
    assert {"invalid_data", "not_found", "conflict", "unavailable", "forbidden"} <= set(types)
    for path, method, operation in operations(schema):
        for code, response in operation["responses"].items():
            if code >= "400":
                body = response["content"]["application/json"]["schema"]
                assert body == {"$ref": "#/components/schemas/ErrorOutput"}, (path, method, code)


def statuses(schema, path, method) -> set[int]:
    return {int(code) for code in schema["paths"][path][method]["responses"]}


@pytest.mark.django_db
def test_the_error_answers_are_those_each_route_gives(schema):
    for path, method, operation in operations(schema):
        if path.startswith("/admin"):  # a database out of reach: 503 on every route
            assert {200, 503} <= statuses(schema, path, method), (path, method)
        if operation.get("security"):
            assert 401 in statuses(schema, path, method), (path, method)
    assert statuses(schema, "/admin/reservations", "get") == {200, 400, 401, 414, 503}
    assert statuses(schema, "/admin/reservations/{id}", "get") == {200, 400, 401, 404, 414, 503}
    assert statuses(schema, "/admin/reservations", "post") == {
        *(200, 400, 401, 404),
        *(409, 414, 422, 503),
    }
    assert statuses(schema, "/admin/stock-locations/{id}", "delete") == {
        *(200, 400, 401, 404),
        *(409, 414, 422, 503),  # 422: an Idempotency-Key used for another request
    }
    assert 403 in statuses(schema, "/admin/users/{id}", "post")
    assert 403 not in statuses(schema, "/admin/reservations", "post")
    assert statuses(schema, "/admin/auth", "get") == {200, 401, 414, 503}
    assert statuses(schema, "/health", "get") == {200}
    assert statuses(schema, "/health/ready", "get") == {200, 503}


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/admin/auth", "/admin/auth/token"])
def test_sign_ins_document_429_with_retry_after(schema, path):
    operation = schema["paths"][path]["post"]
    assert statuses(schema, path, "post") == {200, 400, 401, 414, 429, 503}
    assert not operation.get("security")
    assert operation["responses"]["429"]["headers"]["Retry-After"]["schema"] == {"type": "integer"}


@pytest.mark.django_db
def test_every_operation_has_a_resource_tag_and_a_summary(schema):
    tags = {tag["name"] for tag in schema["tags"]}
    found = set()
    for path, method, operation in operations(schema):
        assert len(operation["tags"]) == 1, (path, method)
        assert operation["tags"][0] in tags, (path, method)
        assert operation["summary"], (path, method)
        found.add(operation["tags"][0])
    assert found == tags
    assert {
        "Auth",
        "Users",
        "Stock Locations",
        "Sales Channels",
        "Products",
        "Inventory Items",
        "Reservations",
        "Stock Movements",
        "Stock Transfers",
        "Regions",
        "Shipping Options",
        "Draft Orders",
        "Orders",
        "Health",
    } <= tags
    summaries = [operation["summary"] for _, _, operation in operations(schema)]
    assert len(summaries) == len(set(summaries))
    assert schema["paths"]["/admin/stock-transfers/{id}/ship"]["post"]["tags"] == [
        "Stock Transfers"
    ]
    assert schema["paths"]["/admin/users"]["post"]["summary"] == "Create a user"


@pytest.mark.django_db
def test_operations_take_their_own_description_not_the_viewsets(schema):
    descriptions = [operation.get("description", "") for _, _, operation in operations(schema)]
    generic = [text for text in descriptions if text.startswith("A Medusa resource")]
    assert generic == []
    pay = schema["paths"]["/admin/draft-orders/{id}/pay"]["post"]
    assert "reserves" in pay["description"]


@pytest.mark.django_db
def test_relations_shown_only_when_expanded_are_not_required(schema):
    components = schema["components"]["schemas"]
    location = components["StockLocationOutput"]
    assert {"address", "sales_channels"} <= set(location["properties"])
    assert not {"address", "sales_channels"} & set(location["required"])
    assert {"id", "name", "metadata"} <= set(location["required"])
    assert "inventory_item" not in components["ReservationOutput"]["required"]
    assert "variant" not in components["LineItemOutput"]["required"]


@pytest.mark.django_db
def test_metadata_is_an_object(schema):
    components = schema["components"]["schemas"]
    for name, component in components.items():
        metadata = component.get("properties", {}).get("metadata")
        if metadata is not None:
            assert metadata["type"] == "object", name
            assert metadata.get("nullable"), name


@pytest.mark.django_db
def test_reads_that_take_fields_answer_the_full_shape_or_a_selection(schema):
    for path in ("/admin/stock-locations", "/admin/stock-locations/{id}"):
        envelope = component(schema, response_ref(schema["paths"][path]["get"]))
        row = next(iter(p for k, p in envelope["properties"].items() if k.startswith("stock")))
        shapes = (row.get("items") or row)["anyOf"]
        assert [ref["$ref"].rsplit("/", 1)[1] for ref in shapes] == [
            "StockLocationOutput",
            "StockLocationOutputSelection",
        ]
    selection = schema["components"]["schemas"]["StockLocationOutputSelection"]
    assert selection["required"] == ["id"]
    # A write answers the full shape.
    written = component(schema, response_ref(schema["paths"]["/admin/stock-locations"]["post"]))
    assert written["properties"]["stock_location"] == {
        "$ref": "#/components/schemas/StockLocationOutput"
    }


@pytest.mark.django_db
def test_request_bodies_refuse_undeclared_properties(schema):
    for path, method, operation in operations(schema):
        body = operation.get("requestBody")
        if body:
            ref = body["content"]["application/json"]["schema"]["$ref"]
            assert component(schema, ref)["additionalProperties"] is False, (path, method)


def parameter(schema, path, name, method="get") -> dict:
    found = [p for p in schema["paths"][path][method]["parameters"] if p["name"] == name]
    assert len(found) == 1, name
    return found[0]


@pytest.mark.django_db
def test_query_parameters_are_typed(schema):
    def of(path, name):
        return parameter(schema, path, name)["schema"]

    assert of("/admin/orders", "limit") == {"type": "integer", "minimum": 0, "maximum": 1000}
    assert of("/admin/orders", "offset")["minimum"] == 0
    assert of("/admin/orders", "display_id")["items"]["type"] == "integer"
    assert parameter(schema, "/admin/orders", "display_id")["explode"] is False
    assert "pending" in of("/admin/orders", "status")["items"]["enum"]
    assert of("/admin/orders", "created_at[gte]") == {"type": "string", "format": "date-time"}
    assert {"created_at", "-created_at", "-display_id"} <= set(of("/admin/orders", "order")["enum"])
    assert of("/admin/sales-channels", "is_disabled") == {"type": "boolean"}
    assert of("/admin/shipping-options", "is_return") == {"type": "boolean"}
    assert of("/admin/reservations", "quantity[gt]")["type"] == "integer"
    assert of("/admin/reservations", "expand")["items"]["enum"] == ["inventory_item", "line_item"]
    assert "location_id" in of("/admin/reservations", "fields")["items"]["enum"]
    assert of("/admin/stock-movements", "reason")["items"]["enum"][0] == "level_created"
    assert "inventory_item_id" in {
        p["name"] for p in schema["paths"]["/admin/orders/{id}/reservations"]["get"]["parameters"]
    }
    detail = schema["paths"]["/admin/stock-locations/{id}"]["get"]["parameters"]
    assert {p["name"] for p in detail} == {"id", "expand", "fields"}


@pytest.mark.django_db
def test_our_own_routes_and_the_probes_are_documented(schema):
    paths = schema["paths"]
    assert {"get", "post"} <= set(paths["/admin/stock-movements"])
    assert "get" in paths["/admin/stock-movements/{id}"]
    for action in ("ship", "receive", "cancel"):
        assert "post" in paths[f"/admin/stock-transfers/{{id}}/{action}"]
    assert paths["/health"]["get"]["responses"]["200"]["content"] == {
        "text/plain": {"schema": {"type": "string"}}
    }
    assert not paths["/health/ready"]["get"].get("security")


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
    assert all("$ref" in shape for shape in properties[plural]["items"]["anyOf"])
    assert all(properties[key]["type"] == "integer" for key in ("count", "offset", "limit"))
    assert set(envelope["required"]) == {plural, "count", "offset", "limit"}
    parameters = {p["name"] for p in operation["parameters"]}
    assert {"offset", "limit", "order", "fields"} <= parameters  # and `expand`, given relations


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
def test_the_docs_page_loads_nothing_from_elsewhere(anon):
    # given
    page = anon.get("/api/docs").content.decode()
    # when
    urls = re.findall(r"""(?:src|href)=["']([^"']+)["']""", page)
    # then
    assert not re.search(r"https?://|//cdn|jsdelivr|unpkg", page)
    static = [url for url in urls if url.startswith(settings.STATIC_URL) or "/static/" in url]
    assert len(static) >= 3  # the Swagger UI script, its stylesheet, the favicon
    for url in static:
        assert finders.find(url.split("/static/", 1)[1].split("?")[0]), url


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


def test_a_required_text_is_documented_as_not_blank_as_the_api_trims_it():
    # Python's whitespace (what the API trims) is all below U+3001 and none is past the BMP.
    assert not [code for code in range(0x3001, sys.maxunicode + 1) if chr(code).isspace()]
    for code in range(0x10000):
        char = chr(code)
        assert bool(re.fullmatch(NOT_BLANK, char)) != char.isspace(), hex(code)
