"""A day in the stockroom, in Chromium at 1,280 px: log in, receive stock with a reason, find an
item by its product's name, reserve an order line, fulfil the order from a chosen location,
cancel that fulfilment, receive a return; each change shows in the history and the numbers."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.expected_conditions import staleness_of
from selenium.webdriver.support.ui import Select, WebDriverWait

from config.models import User
from inventory.models import InventoryItem, InventoryLevel, StockMovement
from inventory.services import stock_adjust
from orders.models import Order
from reservations.models import ReservationItem
from tests.admin.utils import admin_url
from tests.browser.conftest import SCREENSHOTS, WIDTH
from tests.factories.orders import line_of, mug_store, short_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long staff password"


class Page:
    """The browser, seen as staff see it."""

    def __init__(self, driver, live_server, test_name: str):
        self.driver, self.base, self.test = driver, live_server.url, test_name
        self.step = 0

    def go(self, path: str) -> None:
        self.driver.get(self.base + path)

    def field(self, name: str):
        return self.driver.find_element(By.NAME, name)

    def fill(self, name: str, value) -> None:
        field = self.field(name)
        field.clear()
        field.send_keys(str(value))

    def choose(self, css: str, text: str) -> None:
        Select(self.driver.find_element(By.CSS_SELECTOR, css)).select_by_visible_text(text)

    def _submit(self, element) -> None:
        """Click `element` and wait for the page it loads."""
        page = self.driver.find_element(By.TAG_NAME, "html")
        element.click()
        WebDriverWait(self.driver, 10).until(staleness_of(page))

    def click(self, css: str) -> None:
        """Click what submits a form (or follows a link) and wait for the next page."""
        self._submit(self.driver.find_element(By.CSS_SELECTOR, css))

    def tick(self, css: str) -> None:
        self.driver.find_element(By.CSS_SELECTOR, css).click()

    def press(self, text: str, within: str = "body") -> None:
        """Press the button showing `text` inside the element `within`; wait for the page."""
        scope = self.driver.find_element(By.CSS_SELECTOR, within)
        xpath = f".//button[normalize-space(.)='{text}']"
        self._submit(scope.find_elements(By.XPATH, xpath)[0])

    def text(self, css: str = "body") -> str:
        return self.driver.find_element(By.CSS_SELECTOR, css).text

    def messages(self) -> list[str]:
        return [m.text for m in self.driver.find_elements(By.CSS_SELECTOR, "ul.messagelist li")]

    def shot(self, name: str) -> None:
        """A screenshot of the whole page, numbered in the order taken."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.step += 1
        height = self.driver.execute_script("return document.documentElement.scrollHeight")
        self.driver.set_window_size(WIDTH, max(height, 900))
        self.driver.save_screenshot(str(SCREENSHOTS / f"{self.test}-{self.step:02}-{name}.png"))
        self.driver.set_window_size(WIDTH, 900)

    def fits(self) -> bool:
        """Nothing wider than the window, no list scrolling sideways: all seen at 1,280 px."""
        return self.driver.execute_script(
            "return document.documentElement.scrollWidth <= window.innerWidth && "
            "[...document.querySelectorAll('.results, .module')]"
            ".every(box => box.scrollWidth <= box.clientWidth + 1)"
        )


@pytest.fixture
def page(chromium, live_server, request, default_channel):
    User.objects.create_superuser(email="staff@example.com", password=PASSWORD)
    request.node.browser_driver = chromium
    chromium.delete_all_cookies()
    page = Page(chromium, live_server, request.node.name)
    page.go("/dashboard/login/")
    page.fill("username", "staff@example.com")
    page.fill("password", PASSWORD)
    page.click("input[type=submit]")
    yield page
    chromium.get("about:blank")  # nothing more asks the server, which stops with the test


@pytest.fixture
def store(default_channel):
    """The mug store, with an order whose white mug lost its reservation."""
    store = mug_store()
    store.order = short_order(store)
    return store


def level(variant, location) -> InventoryLevel:
    return InventoryLevel.objects.get(
        inventory_item__variant_links__variant=variant, location=location
    )


def test_a_day_in_the_stockroom(page, store, consistent):
    berlin, hamburg, black, white, order = (
        store.berlin,
        store.hamburg,
        store.black,
        store.white,
        store.order,
    )

    # The home page: stock per location, the order short of its white mug.
    page.go("/")
    assert "Stock per location" in page.text("#home-locations")
    assert f"Order #{order.display_id}" in page.text("#home-short")
    assert page.fits()
    page.shot("home")

    # Receive 5 black mugs at Berlin with a reason.
    black_berlin = level(black, berlin)
    page.go(admin_url(InventoryLevel, "change", black_berlin.pk))
    assert "Enamel Mug / Black (MUG-BLACK)" in page.text("#content")
    page.fill("adjust_by", 5)
    page.choose("select[name=reason]", "Received")
    page.fill("reference", "PO-7")
    page.shot("receive")
    page.click("input[name=_save]")
    assert any("changed successfully" in m for m in page.messages())
    assert level(black, berlin).stocked_quantity == 15
    page.go(admin_url(InventoryLevel, "change", black_berlin.pk))
    history = page.text("#stock-history")
    assert "Received" in history
    assert "+5 stocked" in history
    assert "PO-7" in history
    page.go(admin_url(InventoryLevel, "history", black_berlin.pk))
    assert "stocked quantity: 10 → 15 (reason: Received, reference: PO-7)" in page.text("#content")
    page.shot("level-history")

    # Find the white mug by its product's name; the list shows each location's figures.
    page.go(admin_url(InventoryItem, "changelist"))
    page.fill("q", "enamel")
    page.click("#changelist-search input[type=submit]")
    rows = page.text("#result_list")
    assert "Enamel Mug / White" in rows
    assert "Enamel Mug / Black" in rows
    page.go(admin_url(InventoryItem, "changelist") + f"?location={hamburg.pk}")
    assert "Inventory items at Hamburg" in page.text("#content")
    assert page.fits()
    page.shot("items-at-hamburg")

    # Reserve the white mug's line at Berlin on the order's page.
    page.go(admin_url(Order, "change", order.pk))
    white_line = line_of(order, white)
    assert "short 1" in page.text(f"#line-{white_line.pk}")
    page.shot("order")
    page.choose(f"select[name=location_{white_line.pk}]", "Berlin")
    page.press("Reserve", f"#line-{white_line.pk}")
    assert page.messages() == ["Reserved the line at Berlin."]
    assert "1 of 1 (1 at Berlin)" in page.text(f"#line-{white_line.pk}")
    assert level(white, berlin).reserved_quantity == 1
    assert page.fits()

    # The reservations list says whose they are; found by the customer's email.
    page.go(admin_url(ReservationItem, "changelist"))
    page.fill("q", "ada@")
    page.click("#changelist-search input[type=submit]")
    rows = page.text("#result_list")
    assert f"Order #{order.display_id}" in rows
    assert "Enamel Mug / White (MUG-WHITE)" in rows
    assert page.fits()
    page.shot("reservations")
    page.go(admin_url(Order, "change", order.pk))

    # Fulfil everything from Hamburg (the reservations at Berlin are released).
    page.choose("#fulfil-location", "Hamburg")
    page.click("#do-fulfil")
    assert page.messages() == ["Fulfilled 3 units from Hamburg."]
    assert "Hamburg" in page.text("#fulfillments")
    assert level(black, hamburg).stocked_quantity == 2
    assert level(white, berlin).reserved_quantity == 0
    page.shot("fulfilled")

    # Cancel that fulfilment: the units go back to Hamburg, reserved there again.
    page.press("Cancel fulfilment", "#fulfillments")
    assert page.messages() == [
        "Canceled the fulfilment: its units are back in stock at Hamburg and reserved again."
    ]
    assert level(black, hamburg).stocked_quantity == 4
    assert level(black, hamburg).reserved_quantity == 2
    assert "canceled" in page.text("#fulfillments")

    # Fulfil again from Hamburg, ship, then take one black mug back at Berlin.
    page.choose("#fulfil-location", "Hamburg")
    page.click("#do-fulfil")
    page.press("Mark shipped", "#fulfillments")
    assert page.messages() == ["Marked the fulfilment shipped."]
    page.fill(f"return_{line_of(order, black).pk}", 1)
    page.choose("#return-location", "Berlin")
    page.tick("input[name=receive_now]")
    page.click("#do-request-return")
    assert page.messages() == ["Received a return of 1 unit at Berlin."]
    assert "received" in page.text("#returns")
    assert level(black, berlin).stocked_quantity == 16
    page.shot("returned")

    # The item's page shows the numbers per location and every movement.
    page.go(admin_url(InventoryItem, "change", black_berlin.inventory_item_id))
    movements = page.text("#stock-history").lower()
    for reason in ("returned", "fulfillment canceled", "fulfilled", "received"):
        assert reason in movements
    assert "Hamburg" in page.text("#content")
    assert page.fits()
    page.shot("item")

    # The lists staff come back to fit the screen: orders, levels, the ledger.
    for model in (Order, InventoryLevel, StockMovement):
        page.go(admin_url(model, "changelist"))
        assert page.fits(), model.__name__
        page.shot(f"list-{model._meta.model_name}")
    consistent()


def test_a_refused_stock_edit_says_why_in_names(page, store, consistent):
    """Two staff edit the same level: the second save is refused, naming the item and the
    location, and the page shows the stock as it is, not the value typed."""
    black_berlin = level(store.black, store.berlin)
    page.go(admin_url(InventoryLevel, "change", black_berlin.pk))
    stock_adjust(
        inventory_item_id=black_berlin.inventory_item_id,
        location_id=black_berlin.location_id,
        stocked_delta=-3,
        reason="damaged",
    )
    page.fill("stocked_quantity", 1)
    page.click("input[name=_save]")
    errors = page.text("ul.errorlist")
    assert "changed since you loaded this page: now 7" in errors
    assert page.text(".field-available .readonly") == "5"  # 7 stocked, 2 reserved
    page.shot("stale")
    page.fill("stocked_quantity", 1)
    page.click("input[name=_save]")
    assert "Enamel Mug / Black (MUG-BLACK) at location Berlin" in page.text(".errorlist")
    assert "iitem_" not in page.text("#content")
    assert "sloc_" not in page.text("#content")
    page.shot("refused")
    consistent()
