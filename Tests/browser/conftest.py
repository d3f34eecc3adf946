"""Headless Chromium for the page tests: one shared WebDriver session per screen width (started on
first use, quit at the end of the run) and the folder the screenshots are kept in.

Chromium and chromedriver come from Debian (`chromium`, `chromium-driver`; scripts/setup.sh
--tests installs them) and Selenium from PyPI. When any of them is missing the tests FAIL rather
than skip: a browser suite that silently skips on CI tests nothing."""
import os, shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"

def _tool(env_name, *names):
    """Path of a browser program: $env_name if set, else the first of `names` on PATH."""
    if os.environ.get(env_name):
        path = os.environ[env_name]
        return path if os.access(path, os.X_OK) else None
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    return None


def _start(metrics):
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        pytest.fail("Selenium is not installed: run scripts/setup.sh --tests "
                    "(pip install selenium)", pytrace=False)
    chromium = _tool("CHROMIUM_BIN", "chromium", "chromium-browser")
    chromedriver = _tool("CHROMEDRIVER_BIN", "chromedriver")
    if not chromium or not chromedriver:
        pytest.fail("headless browser tests need Chromium and chromedriver "
                    f"(found chromium={chromium}, chromedriver={chromedriver}): run "
                    "scripts/setup.sh --tests (apt-get install chromium chromium-driver)", pytrace=False)
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    # --no-sandbox: CI and the dev machines run as root, where Chromium's sandbox refuses to start.
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-extensions", "--no-first-run"):
        options.add_argument(arg)
    # chromedriver's device emulation makes the viewport exactly this size (a plain --window-size
    # would include the window's chrome) and, for a phone, a touch screen that honours
    # <meta name=viewport> and media queries as a real phone does.
    options.add_experimental_option("mobileEmulation", {"deviceMetrics": metrics})
    # Keep every console message so the tests can fail on SEVERE ones (JS errors, failed loads).
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # Naming the driver's path keeps Selenium Manager from trying to download one (no internet).
    driver = webdriver.Chrome(service=Service(chromedriver), options=options)
    driver.set_page_load_timeout(30)
    return driver


class Browsers:
    """Drivers started on first use and then shared, one per width name."""

    def __init__(self):
        self.drivers = {}

    def get(self, width, metrics):
        """The driver for `width`, emulating chromedriver deviceMetrics `metrics`."""
        if width not in self.drivers:
            self.drivers[width] = _start(metrics)
        return self.drivers[width]

    def quit(self):
        for driver in self.drivers.values():
            driver.quit()


@pytest.fixture(scope="session")
def browsers():
    pool = Browsers()
    yield pool
    pool.quit()


@pytest.fixture
def new_visitor(browsers):
    """The shared desktop browser with its cookies cleared: each flow test starts signed out."""
    from page_actions import DESKTOP
    driver = browsers.get("desktop", DESKTOP)
    driver.delete_all_cookies()
    return driver


@pytest.fixture(scope="session")
def screenshot_dir():
    """test-artifacts/screenshots, emptied of the last run's PNGs so none is stale."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for old in SCREENSHOTS.glob("*.png"):
        old.unlink()
    return SCREENSHOTS
