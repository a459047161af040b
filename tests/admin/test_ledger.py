"""The stock ledger in the admin: a read-only movements list, each level's and item's
history, and stock edits that ask for a reason and refuse a stale page."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from config.actor import acting_as
from config.models import User
from inventory import services
from inventory.counters import Change, record
from inventory.locks import lock_levels, locking
from inventory.models import InventoryItem, InventoryLevel, StockLocation, StockMovement
from orders.models import Order
from reservations.models import ReservationItem
from tests.admin.utils import admin_url, form_errors
from tests.factories.inventory import InventoryItemFactory, LevelFactory, StockLocationFactory
from tests.factories.orders import channel_with_locations, place_order, stocked_variant
from tests.factories.reservations import ReservationFactory

pytestmark = pytest.mark.django_db
MOVEMENTS = admin_url(StockMovement, "changelist")


def listed(response) -> list[StockMovement]:
    """The movements a changelist page shows, in its order."""
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def adjust(level, delta: int, **fields) -> StockMovement:
    return services.stock_adjust(
        inventory_item_id=level.inventory_item_id,
        location_id=level.location_id,
        stocked_delta=delta,
        reason=fields.pop("reason", "received"),
        **fields,
    )


def rows_of(html: str) -> list[dict[str, str]]:
    """The text of each cell of the first table with a head in `html`, by column header."""
    start = html.index("<thead>")
    head = html[start : html.index("</thead>", start)]
    names = [
        re.sub(r"<[^>]+>|\s+", " ", th).strip()
        for th in re.findall(r"<th\b[^>]*>(.*?)</th>", head, re.S)
    ]
    body = html[html.index("<tbody>", start) : html.index("</tbody>", start)]
    return [
        dict(zip(names, (re.sub(r"<[^>]+>", "", cell).strip() for cell in cells), strict=True))
        for cells in (
            re.findall(r"<t[dh]\b[^>]*>(.*?)</t[dh]>", row, re.S)
            for row in re.findall(r"<tr\b[^>]*>(.*?)</tr>", body, re.S)
        )
    ]


def history_rows(response) -> list[dict[str, str]]:
    """The rows of the history table on a level or item page, newest first."""
    html = response.content.decode()
    return rows_of(html[html.index('id="stock-history"') :])


def order_link(order) -> str:
    return f'<a href="{admin_url(Order, "change", order.pk)}" title="{order.pk}">order</a>'


def reservation_link(reservation) -> str:
    url = admin_url(ReservationItem, "change", reservation.pk)
    return f'<a href="{url}" title="{reservation.pk}">reservation</a>'


def form_data(form, **changes) -> dict:
    """What the browser sends for a level's change form as rendered, with `changes` made."""
    names = ("stocked_quantity", "incoming_quantity", "reason", "reference", "note")
    data = {name: form[name].value() for name in (*names, "expected_stocked_quantity")}
    return {**{k: "" if v is None else v for k, v in data.items()}, "metadata": "", **changes}


def loaded(client, level):
    """The change form of `level` as `client` loads its page."""
    return client.get(admin_url(InventoryLevel, "change", level.pk)).context["adminform"].form


# The movements list ------------------------------------------------------------------------


def test_the_list_shows_each_movement_newest_first_with_its_links(
    dashboard, superuser, default_channel, consistent
):
    # given: a level stocked by a command, an order reserving from it, a staff member's change
    location = StockLocationFactory(name="Main")
    channel_with_locations(location)
    with acting_as("command:import_levels"):
        variant = stocked_variant((location, 10))
    item = variant.inventory_items.get()
    order = place_order({variant: 3})
    reservation = ReservationItem.objects.get()
    with acting_as(superuser.pk):
        adjust(InventoryLevel.objects.get(), -2, reason="damaged", reference="RMA-4")
    # when
    response = dashboard.get(MOVEMENTS)
    # then: newest first, every column
    html = response.content.decode()
    label = str(variant)  # "Product / Variant (SKU)"
    assert [{k: v for k, v in row.items() if k != "When"} for row in rows_of(html)] == [
        {
            "Item": label,
            "Location": "Main",
            "Reason": "Damaged",
            "Change": "-2 stocked",
            "After": "8 stocked, 3 reserved",
            "By": "root@example.com",
            "Reference": "RMA-4",
            "Caused by": "-",
        },
        {
            "Item": label,
            "Location": "Main",
            "Reason": "Allocated",
            "Change": "+3 reserved",
            "After": "10 stocked, 3 reserved",
            "By": "-",
            "Reference": "-",
            "Caused by": "order · reservation",
        },
        {
            "Item": label,
            "Location": "Main",
            "Reason": "Level Created",
            "Change": "+10 stocked",
            "After": "10 stocked, 0 reserved",
            "By": "command:import_levels",
            "Reference": "-",
            "Caused by": "-",
        },
    ]
    # and the links lead to the item, the location, the order and the reservation
    assert html.count(f'<a href="{admin_url(InventoryItem, "change", item.pk)}">{label}</a>') == 3
    assert html.count(f'<a href="{admin_url(StockLocation, "change", location.pk)}">Main</a>') == 3
    assert order_link(order) in html
    assert reservation_link(reservation) in html
    consistent()


def test_a_movement_outlives_its_item_and_location_in_the_list(dashboard, consistent):
    level = LevelFactory(stocked_quantity=4)
    item_id, location_id = level.inventory_item_id, level.location_id
    services.inventory_item_delete(item_id=item_id)
    services.stock_location_delete(location_id=location_id)

    response = dashboard.get(MOVEMENTS)

    (row,) = rows_of(response.content.decode())
    assert (row["Item"], row["Location"], row["Reason"]) == (item_id, location_id, "Level Created")
    (movement,) = listed(response)
    assert dashboard.get(admin_url(StockMovement, "change", movement.pk)).status_code == 200
    consistent()


def test_nobody_adds_changes_or_deletes_a_movement_superusers_included(dashboard, consistent):
    # given
    LevelFactory(stocked_quantity=4)
    movement = StockMovement.objects.get()
    change = admin_url(StockMovement, "change", movement.pk)
    delete = admin_url(StockMovement, "delete", movement.pk)
    # when / then: its page shows it, read-only
    page = dashboard.get(change)
    assert page.status_code == 200
    assert page.context["adminform"].form.fields == {}
    assert "Level Created" in page.content.decode()
    # and every write is forbidden
    assert dashboard.get(admin_url(StockMovement, "add")).status_code == 403
    assert dashboard.post(change, {"reason": "other", "stocked_delta": 99}).status_code == 403
    assert dashboard.get(delete).status_code == 403
    assert dashboard.post(delete, {"post": "yes"}).status_code == 403
    assert dashboard.get(MOVEMENTS).context["action_form"] is None  # no bulk delete
    dashboard.post(
        MOVEMENTS, {"action": "delete_selected", "_selected_action": [movement.pk], "post": "yes"}
    )
    # and nothing changed
    assert list(StockMovement.objects.values_list("pk", "reason", "stocked_delta")) == [
        (movement.pk, "level_created", 4)
    ]
    consistent()


def test_the_list_filters_by_reason_location_and_date_and_searches(dashboard, default_channel):
    # given
    main, annex = StockLocationFactory(name="Main"), StockLocationFactory(name="Annex")
    channel_with_locations(main)
    bolts = LevelFactory(location=main, inventory_item=InventoryItemFactory(sku="BOLT-1"))
    nuts = LevelFactory(location=annex, inventory_item=InventoryItemFactory(sku="NUT-2"))
    received = adjust(bolts, 5, reference="PO-1234")
    adjust(nuts, -1, reason="cycle_count")
    order = place_order({stocked_variant((main, 5)): 1})
    old = adjust(nuts, 1, reason="other")
    StockMovement.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))

    def shown(**query) -> set[str]:
        return {m.pk for m in listed(dashboard.get(MOVEMENTS, query))}

    def where(**lookups) -> set[str]:
        return set(StockMovement.objects.filter(**lookups).values_list("pk", flat=True))

    # then
    assert shown(reason__exact="received") == {received.pk}
    assert shown(location__id__exact=annex.pk) == where(location_id=annex.pk)
    assert past_7_days(dashboard) == where() - {old.pk}
    assert shown(q="NUT-2") == where(level_id=nuts.pk)
    assert shown(q="PO-1234") == {received.pk}
    assert shown(q=order.pk) == where(order_id=order.pk) != set()


def past_7_days(client) -> set[str]:
    """The movements the list shows with its date filter's "Past 7 days" chosen."""
    changelist = client.get(MOVEMENTS).context["cl"]
    (dates,) = [spec for spec in changelist.filter_specs if spec.title == "created at"]
    choices = dates.choices(changelist)
    (query,) = [c["query_string"] for c in choices if c["display"] == "Past 7 days"]
    return {m.pk for m in listed(client.get(MOVEMENTS + query))}


def test_a_page_of_50_movements_takes_a_fixed_number_of_queries(
    dashboard, django_assert_max_num_queries
):
    # given: 50 movements over 10 items, 5 locations, 5 staff users and a command
    locations = StockLocationFactory.create_batch(5)
    users = [User.objects.create_user(email=f"clerk{n}@example.com") for n in range(5)]
    levels = [LevelFactory(location=locations[n % 5]) for n in range(10)]
    for n in range(40):
        with acting_as(users[n % 5].pk if n % 4 else "command:import_levels"):
            ReservationFactory(level=levels[n % 10]) if n % 3 else adjust(levels[n % 10], 1)
    assert StockMovement.objects.count() == 50
    # when / then: session, user, the location filter, the count, the page
    with django_assert_max_num_queries(5):
        response = dashboard.get(MOVEMENTS)
    rows = rows_of(response.content.decode())
    assert len(rows) == 50
    assert {row["By"] for row in rows} == {*(u.email for u in users), "command:import_levels", "-"}
    assert {row["Location"] for row in rows} == {location.name for location in locations}


# History on the level and item pages ------------------------------------------------------


def test_the_level_page_shows_its_movements_newest_first(
    dashboard, superuser, default_channel, consistent
):
    # given
    location = StockLocationFactory()
    channel_with_locations(location)
    variant = stocked_variant((location, 10))
    level = InventoryLevel.objects.get()
    order = place_order({variant: 2})
    reservation = ReservationItem.objects.get()
    with acting_as(superuser.pk):
        adjust(level, 5, reference="PO-9")
    LevelFactory(location=location)  # another level's movement is not shown
    # when
    response = dashboard.get(admin_url(InventoryLevel, "change", level.pk))
    # then
    rows = history_rows(response)
    assert [row["Reason"] for row in rows] == ["Received", "Allocated", "Level Created"]
    assert {k: v for k, v in rows[0].items() if k != "When"} == {
        "Reason": "Received",
        "Change": "+5 stocked",
        "After": "15 stocked, 2 reserved",
        "By": "root@example.com",
        "Reference": "PO-9",
        "Caused by": "-",
    }
    assert rows[1]["Caused by"] == "order · reservation"
    html = response.content.decode()
    assert order_link(order) in html
    assert reservation_link(reservation) in html
    # and the link to the movements list shows this level's
    all_of_them = f"{MOVEMENTS}?level_id={level.pk}"
    assert f'<a href="{all_of_them}">See them in the movements list</a>' in html
    assert [m.reason for m in listed(dashboard.get(all_of_them))] == [
        "received",
        "allocated",
        "level_created",
    ]
    consistent()


def test_a_long_history_shows_the_latest_50_and_links_to_the_rest(
    dashboard, consistent, django_assert_max_num_queries
):
    level = LevelFactory(stocked_quantity=0)
    for n in range(55):
        adjust(level, 1, reference=f"R{n}")

    with django_assert_max_num_queries(8):  # one for the history, however long it is
        response = dashboard.get(admin_url(InventoryLevel, "change", level.pk))

    rows = history_rows(response)
    assert [row["Reference"] for row in rows] == [f"R{n}" for n in range(54, 4, -1)]
    all_of_them = f"{MOVEMENTS}?level_id={level.pk}"
    assert f'<a href="{all_of_them}">The latest 50: see them all</a>' in response.content.decode()
    consistent()


def test_movements_written_together_show_in_the_order_they_happened(dashboard, consistent):
    # given: five changes to one level in one write, so at one time
    level = LevelFactory(stocked_quantity=0)

    @locking
    def count_five_times():
        key = (level.inventory_item_id, level.location_id)
        changes = [Change(key, "cycle_count", stocked=1, reference=f"C{n}") for n in range(5)]
        record(lock_levels([key]), changes)

    count_five_times()
    assert len(set(StockMovement.objects.values_list("created_at", flat=True))) == 2
    # when
    page = dashboard.get(admin_url(InventoryLevel, "change", level.pk))
    listed_page = dashboard.get(MOVEMENTS)
    # then: newest (highest version) first, on the level page and in the list
    expected = ["C4", "C3", "C2", "C1", "C0", "-"]
    assert [row["Reference"] for row in history_rows(page)] == expected
    assert [row["Reference"] for row in rows_of(listed_page.content.decode())] == expected
    consistent()


def test_the_item_page_shows_its_movements_at_every_location(dashboard, consistent):
    # given
    item = InventoryItemFactory()
    main, annex = StockLocationFactory(name="Main"), StockLocationFactory(name="Annex")
    at_main = LevelFactory(inventory_item=item, location=main, stocked_quantity=3)
    LevelFactory(inventory_item=item, location=annex, stocked_quantity=1)
    reservation = ReservationFactory(level=at_main, quantity=2)
    LevelFactory(location=main)  # another item's movement is not shown
    # when
    response = dashboard.get(admin_url(InventoryItem, "change", item.pk))
    # then
    rows = history_rows(response)
    assert [(r["Location"], r["Reason"], r["Change"]) for r in rows] == [
        ("Main", "Reserved", "+2 reserved"),
        ("Annex", "Level Created", "+1 stocked"),
        ("Main", "Level Created", "+3 stocked"),
    ]
    assert rows[0]["Caused by"] == "reservation"
    assert reservation_link(reservation) in response.content.decode()
    all_of_them = f"{MOVEMENTS}?inventory_item_id={item.pk}"
    assert f'href="{all_of_them}"' in response.content.decode()
    assert len(listed(dashboard.get(all_of_them))) == 3
    consistent()


def test_a_new_item_page_has_no_history(dashboard):
    response = dashboard.get(admin_url(InventoryItem, "add"))

    assert response.status_code == 200
    assert "stock-history" not in response.content.decode()


# Stock edits: a reason, and compare-and-set ------------------------------------------------


def test_a_stock_edit_records_its_reason_reference_note_and_staff_user(
    dashboard, superuser, consistent
):
    # given: the page offers the manual reasons, a correction by default
    level = LevelFactory(stocked_quantity=5)
    form = loaded(dashboard, level)
    assert [value for value, _ in form.fields["reason"].choices] == list(
        StockMovement.MANUAL_REASONS
    )
    assert form["reason"].value() == "correction"
    assert form["expected_stocked_quantity"].value() == 5
    # when
    response = dashboard.post(
        admin_url(InventoryLevel, "change", level.pk),
        form_data(form, stocked_quantity=12, reason="received", reference="PO-77", note="dock 3"),
    )
    # then
    assert response.status_code == 302
    movement = StockMovement.objects.filter(level_id=level.pk).latest("version")
    assert (movement.reason, movement.stocked_delta, movement.stocked_after) == ("received", 7, 12)
    assert (movement.reference, movement.note) == ("PO-77", "dock 3")
    assert movement.created_by == superuser.pk
    level.refresh_from_db()
    assert level.stocked_quantity == 12
    consistent()


def test_a_stock_edit_left_at_the_default_reason_is_a_correction(dashboard, consistent):
    level = LevelFactory(stocked_quantity=5, incoming_quantity=0)

    response = dashboard.post(
        admin_url(InventoryLevel, "change", level.pk),
        form_data(loaded(dashboard, level), incoming_quantity=4),
    )

    assert response.status_code == 302
    movement = StockMovement.objects.filter(level_id=level.pk).latest("version")
    assert (movement.reason, movement.stocked_delta, movement.incoming_delta) == (
        "correction",
        0,
        4,
    )
    assert (movement.reference, movement.note) == (None, None)
    consistent()


def test_a_stock_edit_with_a_reason_that_is_not_manual_is_a_field_error(dashboard, consistent):
    level = LevelFactory(stocked_quantity=5)

    response = dashboard.post(
        admin_url(InventoryLevel, "change", level.pk),
        form_data(loaded(dashboard, level), stocked_quantity=6, reason="reconciled"),
    )

    assert response.status_code == 200
    assert form_errors(response) == [
        "reason: Select a valid choice. reconciled is not one of the available choices."
    ]
    assert StockMovement.objects.count() == 1
    consistent()


def test_two_staff_editing_the_same_level_the_second_save_is_refused(superuser, consistent):
    # given: two staff members load the same level's page
    level = LevelFactory(stocked_quantity=5)
    first, second = Client(), Client()
    first.force_login(superuser)
    second.force_login(User.objects.create_superuser(email="other@example.com", password="x"))
    first_page, second_page = loaded(first, level), loaded(second, level)
    url = admin_url(InventoryLevel, "change", level.pk)
    # when: the first counts 8, then the second (whose page still says 5) receives 2 more
    assert first.post(url, form_data(first_page, stocked_quantity=8)).status_code == 302
    response = second.post(url, form_data(second_page, stocked_quantity=7, reason="received"))
    # then: the second save changes nothing and says why
    assert response.status_code == 200
    assert form_errors(response) == [
        "The stocked quantity changed since you loaded this page: now 8. "
        "Nothing was saved; save again to set it anyway."
    ]
    level.refresh_from_db()
    assert level.stocked_quantity == 8
    ledger = StockMovement.objects.filter(level_id=level.pk).order_by("version")
    assert list(ledger.values_list("reason", "stocked_after", "created_by")) == [
        ("level_created", 5, None),
        ("correction", 8, superuser.pk),
    ]
    consistent()
    # and saving the refused form again sets it, knowingly
    refused = response.context["adminform"].form
    assert second.post(url, form_data(refused)).status_code == 302
    level.refresh_from_db()
    assert level.stocked_quantity == 7
    assert ledger.last().reason == "received"
    consistent()


def test_a_stale_edit_of_only_the_incoming_quantity_is_refused_too(dashboard, consistent):
    level = LevelFactory(stocked_quantity=5)
    page = loaded(dashboard, level)
    adjust(level, -1, reason="damaged")

    response = dashboard.post(
        admin_url(InventoryLevel, "change", level.pk), form_data(page, incoming_quantity=3)
    )

    assert response.status_code == 200
    assert form_errors(response)[0].startswith("The stocked quantity changed since you loaded")
    level.refresh_from_db()
    assert (level.stocked_quantity, level.incoming_quantity, level.version) == (4, 0, 2)
    consistent()


def test_a_forged_edit_without_the_expected_quantity_is_a_form_error(dashboard, consistent):
    level = LevelFactory(stocked_quantity=5)
    data = form_data(loaded(dashboard, level), stocked_quantity=9)
    del data["expected_stocked_quantity"]

    response = dashboard.post(admin_url(InventoryLevel, "change", level.pk), data)

    assert response.status_code == 200
    assert form_errors(response) == ["expected_stocked_quantity: This field is required."]
    level.refresh_from_db()
    assert level.stocked_quantity == 5
    consistent()
