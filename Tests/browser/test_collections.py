"""Collections as a reader uses them in headless Chromium, without any page script: sign up, save
a paper into a new collection from the paper's page, make the collection public, log out, read its
public page and follow its RSS feed with a real feed parser. The Swift suite (CollectionTests)
covers the routes request by request; this proves the plain forms, redirects and cookies work
together in a real browser."""
import urllib.error, urllib.request

import feedparser
import pytest

from page_actions import wait_for, severe_console_messages, fill_and_send
from paperboy_process import HF_SAMPLE, RunningPaperboy

PAPER = "2608.19880"
PASSWORD = "plum orbit cactus lantern"
# Markup in the name must come back as the text typed, in the page and in the feed.
NAME = "Agents <b>& friends</b>"


@pytest.fixture(scope="module")
def site():
    """A server of its own: these tests create accounts and collections."""
    server = RunningPaperboy(HF_SAMPLE, extra_args=["--password-cost", "10"])
    yield server.url
    server.stop()


@pytest.fixture
def browser(new_visitor, site):
    """A signed-out browser, once this module's server is up."""
    return new_visitor


def test_save_a_paper_into_a_new_public_collection_and_follow_its_feed(browser, site, screenshot_dir):
    from selenium.webdriver.common.by import By
    driver = browser
    driver.get_log("browser")  # drop messages from earlier tests

    driver.get(site + "/signup")
    fill_and_send(driver, "/signup", {"username": "collector", "email": "collector@example.org", "password": PASSWORD})
    wait_for(driver, lambda d: "collector" in d.find_element(By.TAG_NAME, "header").text, "the header after signing up")

    # The paper page offers to start a collection with the paper, with scripts off or on.
    driver.get(f"{site}/papers/{PAPER}")
    title = driver.find_element(By.TAG_NAME, "h1").text
    section = driver.find_element(By.CSS_SELECTOR, "section#collections")
    assert "You have no collections yet" in section.text
    form = section.find_element(By.CSS_SELECTOR, "form.new-collection")
    assert form.is_displayed(), "with no collection yet, the form is open"
    form.find_element(By.NAME, "name").send_keys(NAME)
    form.find_element(By.NAME, "description").send_keys("Papers worth a second read.")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()

    # Back on the paper, now saved, with a button to take it out again.
    wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "section#collections form.saved"), "the paper to show as saved")
    assert driver.current_url.split("#")[0].endswith(f"/papers/{PAPER}")
    saved = driver.find_element(By.CSS_SELECTOR, "section#collections form.saved")
    assert NAME in saved.text, saved.text
    link = saved.find_element(By.CSS_SELECTOR, "a[href^='/collections/']")
    collection_path = link.get_attribute("pathname")
    driver.save_screenshot(str(screenshot_dir / "collections-saved-desktop-light.png"))

    # The collection's own page: private, holding the paper; make it public there.
    link.click()
    wait_for(driver, lambda d: d.find_elements(By.TAG_NAME, "h1") and d.find_element(By.TAG_NAME, "h1").text == NAME, "the collection page")
    assert "A private collection by collector" in driver.find_element(By.TAG_NAME, "main").text
    assert driver.find_element(By.CSS_SELECTOR, f"a[href='/papers/{PAPER}']").text == title
    assert not driver.find_elements(By.CSS_SELECTOR, "b"), "markup in the name is shown, not applied"
    driver.find_element(By.XPATH, "//button[normalize-space()='Make public']").click()
    wait_for(driver, lambda d: "A public collection by collector" in d.find_element(By.TAG_NAME, "main").text, "the collection to be public")
    feed_link = driver.find_element(By.CSS_SELECTOR, f"a[href='{collection_path}/feed.rss']")
    driver.save_screenshot(str(screenshot_dir / "collections-public-desktop-light.png"))

    # Logged out, anyone reads the public page and its feed.
    driver.find_element(By.CSS_SELECTOR, "form[action='/logout'] button").click()
    wait_for(driver, lambda d: "collector" not in d.find_element(By.TAG_NAME, "header").text, "the header to forget the user")
    driver.get(site + collection_path)
    assert driver.find_element(By.TAG_NAME, "h1").text == NAME
    assert not driver.find_elements(By.CSS_SELECTOR, f"form[action='{collection_path}/edit']"), "no owner forms for readers"
    assert driver.find_element(By.CSS_SELECTOR, f"a[href='/papers/{PAPER}']").text == title
    driver.get(site + "/users/collector/collections")
    assert NAME in driver.find_element(By.TAG_NAME, "main").text

    with urllib.request.urlopen(site + collection_path + "/feed.rss", timeout=10) as response:
        assert response.headers["Content-Type"].startswith("application/rss+xml")
        feed = feedparser.parse(response.read())
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "rss20"
    assert feed.feed.title == f"{NAME} · a collection by collector"
    assert feed.feed.description == "Papers worth a second read."
    assert [entry.title for entry in feed.entries] == [title]
    assert feed.entries[0].link.endswith(f"/papers/{PAPER}")
    assert feed.entries[0].published_parsed is not None
    assert severe_console_messages(driver) == []


def test_a_private_collection_is_not_found_by_others(browser, site):
    from selenium.webdriver.common.by import By
    driver = browser
    driver.get(site + "/signup")
    fill_and_send(driver, "/signup", {"username": "private_person", "email": "private@example.org", "password": PASSWORD})
    wait_for(driver, lambda d: "private_person" in d.find_element(By.TAG_NAME, "header").text, "the header after signing up")
    driver.get(site + "/collections")
    fill_and_send(driver, "/collections", {"name": "Just mine"})
    wait_for(driver, lambda d: d.find_elements(By.TAG_NAME, "h1") and d.find_element(By.TAG_NAME, "h1").text == "Just mine", "the new collection")
    path = driver.execute_script("return location.pathname")
    driver.delete_all_cookies()
    driver.get(site + path)
    assert driver.find_element(By.TAG_NAME, "h1").text == "Not found"
    assert "Just mine" not in driver.page_source
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(site + path + "/feed.rss", timeout=10)
    assert refused.value.code == 404
