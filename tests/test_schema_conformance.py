"""The API answers as its OpenAPI schema says: schemathesis sends requests generated from
`/api/schema` to every operation, signed in, and runs every check it has (no 5xx, bodies,
status codes, content types and headers as documented, valid input accepted, invalid input
refused, the credentials not ignored, ...).

Bounded and deterministic: a few derandomized examples per operation, positive and negative,
on a small store whose ids fill the paths and bodies of valid requests."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, reject, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.core import NOT_SET
from schemathesis.generation import GenerationMode

from inventory.models import StockMovement
from tests.config.test_bad_input import world  # noqa: F401 (the store, as a fixture)
from transfers.services import transfer_create

EXAMPLES = 10  # per operation and mode; about 90 operations
# Reads of one object, deletes, actions without a body, the probes.
FEW_INPUTS = r"_(retrieve|destroy)$|_(cancel|archive|complete|pay|ship)_create$"
CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": 7,
        "generation": {
            "max-examples": EXAMPLES,
            "deterministic": True,
            # The API refuses NUL in any string (400): no request with one is valid input.
            "allow-x00": False,
            # Signed in by the header below; the probes of `ignored_auth` try without it.
            "with-security-parameters": False,
        },
        # Valid input may still be refused by the state: 400 `not_allowed` (shipping a
        # transfer twice; `valid_input_is_not_invalid_data` tells it from `invalid_data`),
        # 422 (a SKU taken). A URL past the limit is refused with 414.
        "checks": {
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "400", "401", "403", "404", "409", "422", "429"]
            },
            "negative_data_rejection": {
                "expected-statuses": ["400", "401", "403", "404", "405", "409", "414", "422"]
            },
        },
        # The coverage phase (boundary values, and the checks only it runs: a method not
        # documented answers 405 with `Allow`, ...) sends thousands of requests to the routes
        # that take many properties; it runs on the routes that take few (below).
        "phases": {"coverage": {"enabled": False}},
        "operations": [
            {
                "include-operation-id-regex": FEW_INPUTS,
                "phases": {"coverage": {"enabled": True}},
            }
        ],
    }
)
APP = get_wsgi_application()
schema = schemathesis.openapi.from_wsgi("/api/schema?format=json", APP, config=CONFIG)

# The store's ids (keys of the `world` fixture) for each path parameter, by resource.
PATH_IDS = {
    "stock-locations": {"id": "location"},
    "sales-channels": {"id": "channel"},
    "products": {"id": "product"},
    "variants": {"id": "variant"},
    "inventory-items": {"id": "item", "location_id": "location"},
    "stock-movements": {"id": "movement"},
    "stock-transfers": {"id": "transfer"},
    "reservations": {"id": "reservation"},
    "regions": {"id": "region"},
    "shipping-options": {"id": "shipping_option"},
    "draft-orders": {"id": "draft", "line_id": "draft_line"},
    "orders": {"id": "order", "line_item_id": "order_line", "fulfillment_id": "fulfillment"},
    "returns": {"id": "return"},
    "users": {"id": "user"},
}

# ... and for the ids named in request bodies, by property.
BODY_IDS = {
    "location_id": "location",
    "from_location_id": "location",
    "to_location_id": "spare_location",
    "inventory_item_id": "item",
    "variant_id": "variant",
    "region_id": "region",
    "sales_channel_id": "channel",
    "option_id": "shipping_option",
    "item_id": "order_line",
}


# Operations with a rule the schema cannot say (across fields, or against what is stored),
# which may refuse schema-valid input as `invalid_data`.
BEYOND_THE_SCHEMA = {
    "POST /admin/inventory-items": "`required_quantity` without `variant_id`",
    "POST /admin/stock-transfers": "the same location at both ends, or an item twice",
    "POST /admin/stock-transfers/{id}": "the same location at both ends, or an item twice",
    "POST /admin/orders/{id}/line-items/{line_item_id}/reserve": "past the line's quantity",
    "POST /admin/reservations": "`expires_at` in the past",
    "POST /admin/reservations/{id}": "`expires_at` in the past",
    "POST /admin/stock-locations/{id}": "a new address without `address_1` or `country_code`",
    "POST /admin/returns/{id}/receive": "more of a line than the return holds",
    "POST /admin/inventory-items/location-levels/batch": "a row naming its item by id and SKU, "
    "or giving both `stocked_quantity` and `stocked_delta` (each row's error says which)",
    # A line's unit_price × quantity, or a total, past what a client reads exactly (2^53 - 1).
    "POST /admin/draft-orders": "an amount past 2^53 - 1",
    "POST /admin/draft-orders/{id}": "an amount past 2^53 - 1",
    "POST /admin/draft-orders/{id}/line-items": "an amount past 2^53 - 1",
    # Medusa answers an unknown line so (400, not 404).
    "POST /admin/draft-orders/{id}/line-items/{line_id}": "an unknown line, or an amount too large",
    "DELETE /admin/draft-orders/{id}/line-items/{line_id}": "an unknown line",
}


def valid_input_is_not_invalid_data(ctx, response, case):
    """A check: input the schema allows is refused by the state (`not_allowed`), never as
    `invalid_data` (which would mean the schema allows what the API does not)."""
    if case.meta is None or case.meta.generation.mode != GenerationMode.POSITIVE:
        return
    if response.status_code != 400 or case.operation.label in BEYOND_THE_SCHEMA:
        return
    body = response.json()
    assert body["type"] != "invalid_data", f"schema-valid input refused: {body['message']}"


@pytest.fixture
def store(world, staff):  # noqa: F811 (the fixture imported above)
    """`world` with the order side built, a transfer and a movement, and the staff's token."""
    world["order"]  # builds the order side
    world["transfer"] = transfer_create(
        from_location_id=world["location"],
        to_location_id=world["spare_location"],
        items=[{"inventory_item_id": world["item"], "quantity": 1}],
    ).pk
    world["movement"] = StockMovement.objects.order_by("pk").first().pk
    world["headers"] = {"x-medusa-access-token": staff.api_token}
    return world


@pytest.fixture
def in_test_transaction():
    """Django's test client keeps the test's connection (and transaction) across requests;
    the WSGI handler would close it at each request's start and end."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def with_real_ids(value, store):
    """The body with each id it names (at any depth) one of the store's."""
    if isinstance(value, dict):
        return {
            key: store[BODY_IDS[key]]
            if key in BODY_IDS and isinstance(item, str)
            else with_real_ids(item, store)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [with_real_ids(item, store) for item in value]
    return value


def real_ids(path: str, store) -> dict[str, str]:
    resource = path.split("/")[2] if path.startswith("/admin/") else ""
    names = PATH_IDS.get(resource, {})
    return {name: store[key] for name, key in names.items() if f"{{{name}}}" in path}


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_answers_as_its_schema_says(case, store, in_test_transaction):
    if case.meta is not None and case.meta.generation.mode == GenerationMode.POSITIVE:
        case.path_parameters.update(real_ids(case.operation.path, store))
        if isinstance(case.body, dict):
            case.body = with_real_ids(case.body, store)
    elif case.body is NOT_SET and not case.operation.definition.raw.get("requestBody", {}).get(
        "required"
    ):
        reject()  # schemathesis 4.32 may leave an optional body out as "invalid": it is not
    case.call_and_validate(
        headers=store["headers"], additional_checks=[valid_input_is_not_invalid_data]
    )
