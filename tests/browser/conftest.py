"""Browser tests: a real Chromium (Debian's `chromium` and `chromium-driver`) driven by Selenium
against a live server. They skip, saying why, where Chromium is not installed; `.ci/run`
installs it. Screenshots of each step (and of any failure) go to $BROWSER_SCREENSHOTS, by
default `stockroom-screenshots` in the temporary directory."""

import os
import shutil
import tempfile
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")
SCREENSHOTS = Path(
    os.environ.get("BROWSER_SCREENSHOTS") or Path(tempfile.gettempdir(), "stockroom-screenshots")
)
WIDTH, HEIGHT = 1280, 900


def pytest_collection_modifyitems(items):
    if CHROMIUM and CHROMEDRIVER:
        return
    skip = pytest.mark.skip(
        reason="needs Debian's chromium and chromium-driver "
        "(apt-get install -y chromium chromium-driver)"
    )
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def chromium(live_server):
    """Chromium, set up after the live server and so quit before it stops: the connections
    it keeps alive close while the server's threads may still share the tests' database."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    os.environ.setdefault("SE_OFFLINE", "true")  # Selenium Manager never downloads anything
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        f"--window-size={WIDTH},{HEIGHT}",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.implicitly_wait(2)
    yield driver
    driver.quit()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    driver = getattr(item, "browser_driver", None)
    if report.failed and report.when == "call" and driver is not None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"FAILED-{item.name}.png"
        driver.save_screenshot(str(path))
        report.sections.append(("screenshot", str(path)))
    return report
