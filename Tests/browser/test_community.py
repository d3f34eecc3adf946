"""The community flows as a reader goes through them in headless Chromium: sign up, upvote a
paper from its page (the count changes in place, without a reload), withdraw the vote, comment
and reply, log out and back in. The Swift suites cover the same routes request by request; this proves the forms,
cookies and the page script work together in a real browser."""
import pytest

from page_actions import wait_for, severe_console_messages, fill_and_send
from paperboy_process import HF_SAMPLE, RunningPaperboy

PAPER = "2608.19880"
PASSWORD = "plum orbit cactus lantern"


@pytest.fixture(scope="module")
def site():
    """A server of its own: these tests create accounts and change vote counts. bcrypt at the
    lowest cost a deployment may use, so that signing up stays quick."""
    server = RunningPaperboy(HF_SAMPLE, extra_args=["--password-cost", "10"])
    yield server.url
    server.stop()


@pytest.fixture
def browser(new_visitor, site):
    """A signed-out browser, once this module's server is up."""
    return new_visitor


def test_sign_up_vote_in_place_log_out_and_in(browser, site, screenshot_dir):
    from selenium.webdriver.common.by import By
    driver = browser
    driver.get_log("browser")  # drop messages from earlier tests

    driver.get(site + "/signup")
    fill_and_send(driver, "/signup", {"username": "chromium_reader", "email": "reader@example.org", "password": PASSWORD})
    wait_for(driver, lambda d: d.current_url.rstrip("/").endswith("/papers"), "the feed after signing up")
    header = driver.find_element(By.TAG_NAME, "header").text
    assert "chromium_reader" in header, header

    driver.get(f"{site}/papers/{PAPER}")
    form = driver.find_element(By.CSS_SELECTOR, "form.vote")
    button = form.find_element(By.TAG_NAME, "button")
    before = int(form.find_element(By.CSS_SELECTOR, ".count").text)
    assert button.get_attribute("aria-pressed") == "false"
    # A marker on the window survives only if the page is not reloaded.
    driver.execute_script("window.__sameDocument = true")
    button.click()
    wait_for(driver, lambda d: d.find_element(By.CSS_SELECTOR, "form.vote .count").text == str(before + 1), "the count to rise")
    assert driver.find_element(By.CSS_SELECTOR, "form.vote button").get_attribute("aria-pressed") == "true"
    assert driver.execute_script("return window.__sameDocument === true"), "the vote reloaded the page"
    driver.save_screenshot(str(screenshot_dir / "community-voted-desktop-light.png"))

    driver.refresh()
    assert driver.find_element(By.CSS_SELECTOR, "form.vote .count").text == str(before + 1), "the vote was stored"
    assert driver.find_element(By.CSS_SELECTOR, "form.vote button").get_attribute("aria-pressed") == "true"

    driver.find_element(By.CSS_SELECTOR, "form.vote button").click()
    wait_for(driver, lambda d: d.find_element(By.CSS_SELECTOR, "form.vote .count").text == str(before), "the vote to be withdrawn")
    assert driver.find_element(By.CSS_SELECTOR, "form.vote button").get_attribute("aria-pressed") == "false"

    # A comment with markup in it comes back as the text typed, and a reply nests under it.
    text = "Nice ablations <script>window.__injected = true</script> see https://example.org/x."
    form = driver.find_element(By.CSS_SELECTOR, f"section.comments form.comment-form[action='/papers/{PAPER}/comments']")
    form.find_element(By.NAME, "text").send_keys(text)
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "li.comment"), "the comment")
    first = driver.find_element(By.CSS_SELECTOR, "li.comment")
    assert "<script>window.__injected = true</script>" in first.text, first.text
    assert not driver.execute_script("return window.__injected === true"), "a comment ran script"
    link = first.find_element(By.CSS_SELECTOR, "a[href='https://example.org/x']")
    assert "nofollow" in link.get_attribute("rel")
    first.find_element(By.CSS_SELECTOR, "details summary").click()
    reply = first.find_element(By.CSS_SELECTOR, "form.comment-form")
    reply.find_element(By.NAME, "text").send_keys("Agreed, the second table especially.")
    reply.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait_for(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, "li.comment")) == 2, "the reply")
    assert "Comments (2)" in driver.find_element(By.CSS_SELECTOR, "section.comments h2").text
    driver.save_screenshot(str(screenshot_dir / "community-comments-desktop-light.png"))

    driver.find_element(By.CSS_SELECTOR, "form[action='/logout'] button").click()
    wait_for(driver, lambda d: "chromium_reader" not in d.find_element(By.TAG_NAME, "header").text, "the header to forget the user")
    driver.get(f"{site}/papers/{PAPER}")
    assert not driver.find_elements(By.CSS_SELECTOR, "form.vote"), "signed out, the page offers no vote button"

    driver.get(site + "/login")
    fill_and_send(driver, "/login", {"login": "chromium_reader", "password": PASSWORD})
    wait_for(driver, lambda d: "chromium_reader" in d.find_element(By.TAG_NAME, "header").text, "the header after logging in")
    assert severe_console_messages(driver) == []


def test_a_wrong_password_is_refused_on_the_page(browser, site):
    from selenium.webdriver.common.by import By
    driver = browser
    driver.get(site + "/login")
    fill_and_send(driver, "/login", {"login": "nobody_here", "password": "not the password at all"})
    wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "[role=alert]"), "the refusal")
    assert "nobody_here" not in driver.find_element(By.TAG_NAME, "header").text
    assert not driver.get_cookie("paperboy_session")
