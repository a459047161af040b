"""`/admin/regions` and `/admin/shipping-options`: CRUD, the `region_id` filter, deletes."""

import json

import pytest

from draft_orders.services import draft_order_create
from orders.models import Region, ShippingOption
from orders.services import order_place, region_create, shipping_option_create

pytestmark = pytest.mark.django_db

REGION_FIELDS = {
    "id",
    "name",
    "currency_code",
    "tax_rate",
    "countries",
    "payment_providers",
    "fulfillment_providers",
    "metadata",
    "created_at",
    "updated_at",
}
OPTION_FIELDS = {
    "id",
    "name",
    "region_id",
    "provider_id",
    "price_type",
    "amount",
    "is_return",
    "admin_only",
    "data",
    "metadata",
    "created_at",
    "updated_at",
}


def post(api, path: str, body: dict):
    return api.post(path, body, format="json")


def error(response) -> tuple[int, dict]:
    return response.status_code, response.json()


# Regions --------------------------------------------------------------------------------


def test_create_region_answers_every_field(api):
    # when
    response = post(
        api,
        "/admin/regions",
        {
            "name": "EU",
            "currency_code": "eur",
            "tax_rate": 25,
            "countries": ["dk", "de"],
            "payment_providers": ["manual"],
            "fulfillment_providers": ["manual"],
            "metadata": {"zone": 1},
        },
    )
    # then
    assert response.status_code == 200, response.json()
    region = response.json()["region"]
    assert set(response.json()) == {"region"}
    assert set(region) == REGION_FIELDS
    assert region["id"].startswith("reg_")
    assert {k: v for k, v in region.items() if k not in ("id", "created_at", "updated_at")} == {
        "name": "EU",
        "currency_code": "eur",
        "tax_rate": 25,
        "countries": ["dk", "de"],
        "payment_providers": ["manual"],
        "fulfillment_providers": ["manual"],
        "metadata": {"zone": 1},
    }
    assert region["created_at"].endswith("Z")
    assert Region.objects.get().name == "EU"


def test_create_region_defaults_the_optional_fields(api):
    region = post(api, "/admin/regions", {"name": "US", "currency_code": "usd"}).json()["region"]

    assert (region["tax_rate"], region["countries"], region["metadata"]) == (0, [], None)
    assert (region["payment_providers"], region["fulfillment_providers"]) == ([], [])


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "name is required, currency_code is required"),
        ({"name": "EU"}, "currency_code is required"),
        ({"name": 5, "currency_code": "eur"}, "name must be a string"),
        (
            {"name": "EU", "currency_code": "euro"},
            "currency_code must be shorter than or equal to 3 characters",
        ),
        (
            {"name": "EU", "currency_code": "eur", "tax_rate": 101},
            "tax_rate must not be greater than 100",
        ),
        (
            {"name": "EU", "currency_code": "eur", "tax_rate": -1},
            "tax_rate must not be less than 0",
        ),
        ({"name": "EU", "currency_code": "eur", "tax_rate": "5"}, "tax_rate must be a number"),
        (
            {"name": "EU", "currency_code": "eur", "tax_rate": 1.234},
            "tax_rate must have at most 2 decimal places",
        ),
        (
            {"name": "EU", "currency_code": "eur", "tax_rate": 99.9999},
            "tax_rate must have at most 2 decimal places",
        ),
        (
            {"name": "EU", "currency_code": "eur", "tax_rate": 1e300},
            "tax_rate must not be greater than 100",
        ),
        ({"name": "EU", "currency_code": "eur", "tax_rate": True}, "tax_rate must be a number"),
        ({"name": "EU", "currency_code": "eur", "countries": "dk"}, "countries must be an array"),
        (
            {"name": "EU", "currency_code": "eur", "countries": ["dnk"]},
            "countries.0 must be shorter than or equal to 2 characters",
        ),
        ({"name": "EU", "currency_code": "eur", "id": "reg_x"}, "property id should not exist"),
    ],
)
def test_create_region_with_a_bad_body_is_400(api, body, message):
    response = post(api, "/admin/regions", body)

    assert error(response) == (400, {"type": "invalid_data", "message": message})
    assert not Region.objects.exists()


def test_list_regions_answers_the_envelope_newest_first(api):
    # given
    older = region_create(name="EU", currency_code="eur")
    newer = region_create(name="US", currency_code="usd")
    # when
    response = api.get("/admin/regions")
    # then
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"regions", "count", "offset", "limit"}
    assert (body["count"], body["offset"], body["limit"]) == (2, 0, 20)
    assert [row["id"] for row in body["regions"]] == [newer.pk, older.pk]
    assert all(set(row) == REGION_FIELDS for row in body["regions"])


def test_list_regions_pages_and_orders_by_name(api):
    for name in ("B", "C", "A"):
        region_create(name=name, currency_code="eur")

    body = api.get("/admin/regions", {"order": "name", "limit": 2, "offset": 1}).json()

    assert [row["name"] for row in body["regions"]] == ["B", "C"]
    assert (body["count"], body["offset"], body["limit"]) == (3, 1, 2)


def test_get_region(api):
    region = region_create(name="EU", currency_code="eur", countries=["dk"])

    response = api.get(f"/admin/regions/{region.pk}")

    assert response.status_code == 200
    assert set(response.json()) == {"region"}
    assert response.json()["region"]["id"] == region.pk
    assert response.json()["region"]["countries"] == ["dk"]


def test_update_region_changes_only_the_given_fields(api):
    # given
    region = region_create(name="EU", currency_code="eur", tax_rate=20, countries=["dk"])
    # when
    response = post(api, f"/admin/regions/{region.pk}", {"name": "Europe", "tax_rate": 12.5})
    # then
    assert response.status_code == 200, response.json()
    updated = response.json()["region"]
    assert set(updated) == REGION_FIELDS
    assert (updated["name"], updated["tax_rate"], updated["currency_code"]) == (
        "Europe",
        12.5,
        "eur",
    )
    assert updated["countries"] == ["dk"]
    region.refresh_from_db()
    assert region.name == "Europe"


def test_delete_region_answers_the_deleted_envelope(api):
    region = region_create(name="EU", currency_code="eur")

    response = api.delete(f"/admin/regions/{region.pk}")

    assert response.status_code == 200
    assert response.json() == {"id": region.pk, "object": "region", "deleted": True}
    assert not Region.objects.exists()


def _use_by_shipping_option(region, channel):
    shipping_option_create(region_id=region.pk, name="Standard")


def _use_by_order(region, channel):
    order_place(
        email="a@example.com",
        sales_channel_id=channel.pk,
        currency_code=region.currency_code,
        region_id=region.pk,
        items=[],
    )


def _use_by_draft_order(region, channel):
    draft_order_create(email="a@example.com", region_id=region.pk)


@pytest.mark.parametrize("use", [_use_by_shipping_option, _use_by_order, _use_by_draft_order])
def test_delete_region_in_use_is_a_conflict(api, default_channel, use):
    # given
    region = region_create(name="EU", currency_code="eur")
    use(region, default_channel)
    # when
    response = api.delete(f"/admin/regions/{region.pk}")
    # then
    assert error(response) == (
        409,
        {
            "type": "conflict",
            "code": "invalid_state_error",
            "message": f"Region {region.pk} is used by orders, draft orders or shipping options",
        },
    )
    assert Region.objects.filter(pk=region.pk).exists()


@pytest.mark.parametrize(
    ("method", "body"),
    [("GET", None), ("POST", {"name": "X"}), ("DELETE", None)],
)
def test_unknown_region_is_404(api, method, body):
    response = api.generic(
        method,
        "/admin/regions/reg_nope",
        "" if body is None else json.dumps(body),
        content_type="application/json",
    )

    assert error(response) == (
        404,
        {"type": "not_found", "message": "Region with id reg_nope was not found"},
    )


# Shipping options ---------------------------------------------------------------------------


@pytest.fixture
def region():
    return region_create(name="EU", currency_code="eur")


def test_create_shipping_option_answers_every_field(api, region):
    # when
    response = post(
        api,
        "/admin/shipping-options",
        {
            "name": "Express",
            "region_id": region.pk,
            "provider_id": "manual",
            "price_type": "flat_rate",
            "amount": 1500,
            "is_return": False,
            "admin_only": True,
            "data": {"id": "manual-fulfillment"},
            "metadata": {"speed": "fast"},
        },
    )
    # then
    assert response.status_code == 200, response.json()
    assert set(response.json()) == {"shipping_option"}
    option = response.json()["shipping_option"]
    assert set(option) == OPTION_FIELDS
    assert option["id"].startswith("so_")
    assert {k: v for k, v in option.items() if k not in ("id", "created_at", "updated_at")} == {
        "name": "Express",
        "region_id": region.pk,
        "provider_id": "manual",
        "price_type": "flat_rate",
        "amount": 1500,
        "is_return": False,
        "admin_only": True,
        "data": {"id": "manual-fulfillment"},
        "metadata": {"speed": "fast"},
    }


def test_create_shipping_option_defaults(api, region):
    body = {"name": "Standard", "region_id": region.pk}

    option = post(api, "/admin/shipping-options", body).json()["shipping_option"]

    assert {k: option[k] for k in ("provider_id", "price_type", "amount", "data")} == {
        "provider_id": "manual",
        "price_type": "flat_rate",
        "amount": None,
        "data": {},
    }
    assert (option["is_return"], option["admin_only"], option["metadata"]) == (False, False, None)


def test_create_shipping_option_accepts_medusa_requirements(api, region):
    # medusa-js sends `requirements`; they are not modelled, but not refused either
    body = {"name": "Standard", "region_id": region.pk, "requirements": []}

    response = post(api, "/admin/shipping-options", body)

    assert response.status_code == 200, response.json()
    assert "requirements" not in response.json()["shipping_option"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "name is required, region_id is required"),
        ({"name": "S", "region_id": "{region}", "amount": -1}, "amount must not be less than 0"),
        ({"name": "S", "region_id": "{region}", "amount": "5"}, "amount must be an integer"),
        (
            {"name": "S", "region_id": "{region}", "price_type": "free"},
            "price_type must be one of flat_rate, calculated",
        ),
        ({"name": "S", "region_id": "{region}", "is_return": 1}, "is_return must be a boolean"),
        ({"name": "S", "region_id": "{region}", "data": None}, "data must not be null"),
    ],
)
def test_create_shipping_option_with_a_bad_body_is_400(api, region, body, message):
    body = {k: v.format(region=region.pk) if isinstance(v, str) else v for k, v in body.items()}

    response = post(api, "/admin/shipping-options", body)

    assert error(response) == (400, {"type": "invalid_data", "message": message})
    assert not ShippingOption.objects.exists()


def test_create_shipping_option_in_an_unknown_region_is_404(api):
    response = post(api, "/admin/shipping-options", {"name": "S", "region_id": "reg_nope"})

    assert error(response) == (
        404,
        {"type": "not_found", "message": "Region with id reg_nope was not found"},
    )
    assert not ShippingOption.objects.exists()


def test_list_shipping_options_filters_by_region(api, region):
    # given
    other = region_create(name="US", currency_code="usd")
    mine = [shipping_option_create(region_id=region.pk, name=n) for n in ("A", "B")]
    theirs = shipping_option_create(region_id=other.pk, name="C")
    # when
    scalar = api.get("/admin/shipping-options", {"region_id": region.pk})
    array = api.get(f"/admin/shipping-options?region_id[]={region.pk}&region_id[]={other.pk}")
    indexed = api.get(f"/admin/shipping-options?region_id[0]={other.pk}")
    # then
    assert scalar.status_code == array.status_code == indexed.status_code == 200
    body = scalar.json()
    assert set(body) == {"shipping_options", "count", "offset", "limit"}
    assert (body["count"], body["offset"], body["limit"]) == (2, 0, 20)
    assert {row["id"] for row in body["shipping_options"]} == {o.pk for o in mine}
    assert all(set(row) == OPTION_FIELDS for row in body["shipping_options"])
    assert array.json()["count"] == 3
    assert [row["id"] for row in indexed.json()["shipping_options"]] == [theirs.pk]


def test_list_shipping_options_without_a_filter_lists_all(api, region):
    shipping_option_create(region_id=region.pk, name="A")
    shipping_option_create(region_id=region_create(name="US", currency_code="usd").pk, name="B")

    assert api.get("/admin/shipping-options").json()["count"] == 2


def test_get_shipping_option(api, region):
    option = shipping_option_create(region_id=region.pk, name="A", amount=100)

    response = api.get(f"/admin/shipping-options/{option.pk}")

    assert response.status_code == 200
    assert set(response.json()) == {"shipping_option"}
    assert response.json()["shipping_option"]["amount"] == 100


def test_update_shipping_option(api, region):
    # given
    option = shipping_option_create(region_id=region.pk, name="A", amount=100)
    # when
    response = post(
        api,
        f"/admin/shipping-options/{option.pk}",
        {"name": "B", "amount": 250, "admin_only": True},
    )
    # then
    assert response.status_code == 200, response.json()
    updated = response.json()["shipping_option"]
    assert set(updated) == OPTION_FIELDS
    assert (updated["name"], updated["amount"], updated["admin_only"]) == ("B", 250, True)
    assert updated["region_id"] == region.pk
    option.refresh_from_db()
    assert (option.name, option.amount) == ("B", 250)


def test_update_shipping_option_cannot_move_it_to_another_region(api, region):
    option = shipping_option_create(region_id=region.pk, name="A")
    other = region_create(name="US", currency_code="usd")

    response = post(api, f"/admin/shipping-options/{option.pk}", {"region_id": other.pk})

    assert error(response) == (
        400,
        {"type": "invalid_data", "message": "property region_id should not exist"},
    )
    option.refresh_from_db()
    assert option.region_id == region.pk


def test_delete_shipping_option_answers_medusas_envelope(api, region):
    option = shipping_option_create(region_id=region.pk, name="A")

    response = api.delete(f"/admin/shipping-options/{option.pk}")

    assert response.status_code == 200
    assert response.json() == {"id": option.pk, "object": "shipping-option", "deleted": True}
    assert not ShippingOption.objects.exists()


def test_deleting_its_last_shipping_option_frees_the_region(api, region):
    option = shipping_option_create(region_id=region.pk, name="A")

    assert api.delete(f"/admin/shipping-options/{option.pk}").status_code == 200
    assert api.delete(f"/admin/regions/{region.pk}").status_code == 200


@pytest.mark.parametrize(
    ("method", "body"),
    [("GET", None), ("POST", {"name": "X"}), ("DELETE", None)],
)
def test_unknown_shipping_option_is_404(api, method, body):
    response = api.generic(
        method,
        "/admin/shipping-options/so_nope",
        "" if body is None else json.dumps(body),
        content_type="application/json",
    )

    assert error(response) == (
        404,
        {"type": "not_found", "message": "Shipping option with id so_nope was not found"},
    )
