"""Submitting a paper from /submit in headless Chromium: a signed-in reader submits an arXiv URL,
lands on the paper's page as its submitter and finds it on the day's feed; refused submissions
(too old, featured before, past the daily cap) say which rule on the page, keep what was typed
and store nothing. The Swift suite (SubmitTests) covers the rules request by request; this
proves the form, the session and the arXiv lookup work together in a real browser.

The paper the catalog lacks comes from a local stand-in for the arXiv API that plays the
recorded Atom answer in ../shared/formats (first versions of 2025-10-16), and the server's
clock is pinned (`serve --clock`) to the next day, so the 7-day rule holds whatever the date."""
import http.server, threading, urllib.error, urllib.request

import pytest

from page_actions import wait_for
from paperboy_process import HF_SAMPLE, SHARED, RunningPaperboy, free_port

PASSWORD = "plum orbit cactus lantern"
RECORDED_ATOM = SHARED / "formats" / "arxiv_api_atom_query_cat-cs.RO_2025-10-17.xml"
# arXiv metadata only (papers of 2007), so the catalog has papers far older than a week.
OLD_PAPERS = SHARED / "formats" / "kaggle_arxiv-metadata-oai-snapshot_head.jsonl"
CLOCK_DAY = "2025-10-17"
RECORDED_PAPER = "2510.14968"  # first version 2025-10-16T17:59:37Z, in the recording only
SECOND_RECORDED_PAPER = "2510.14827"
FEATURED_PAPER = "2608.19880"  # featured on 2026-08-21 in the Hub sample
OLD_PAPER = "0704.0001"  # first version 2007-04-02
EMPTY_FEED = b"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>ArXiv Query</title><id>http://arxiv.org/api/unknown</id></feed>
"""


class RecordedArxiv:
    """An arXiv API on a loopback port: queries naming a paper of the recording get the recorded
    Atom page, any other an empty feed (arXiv's answer for an unknown id). Keeps the queries."""

    def __init__(self):
        recorded = RECORDED_ATOM.read_bytes()
        queries = self.queries = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                queries.append(self.path)
                known = RECORDED_PAPER in self.path or SECOND_RECORDED_PAPER in self.path
                body = recorded if known else EMPTY_FEED
                self.send_response(200)
                self.send_header("Content-Type", "application/atom+xml; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api/query"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def arxiv():
    server = RecordedArxiv()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def site(arxiv):
    """A server of its own (these tests feature papers), over the Hub sample and old arXiv
    metadata, asking the recorded arXiv for the rest, one submission per user and day."""
    server = RunningPaperboy(HF_SAMPLE, OLD_PAPERS, extra_args=[
        "--password-cost", "10", "--clock", f"{CLOCK_DAY}T12:00:00Z", "--arxiv-api-url", arxiv.url,
        "--submit-daily-cap", "1"])
    yield server.url
    server.stop()


@pytest.fixture
def browser(new_visitor, site):
    """A signed-out browser, once this module's server is up."""
    return new_visitor


def sign_up(driver, site, username):
    from selenium.webdriver.common.by import By
    driver.get(site + "/signup")
    form = driver.find_element(By.CSS_SELECTOR, "form[action='/signup']")
    for name, value in {"username": username, "email": f"{username}@example.org", "password": PASSWORD}.items():
        form.find_element(By.NAME, name).send_keys(value)
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait_for(driver, lambda d: username in d.find_element(By.TAG_NAME, "header").text, "the header to name the new user")


def submit(driver, site, paper_id):
    """Fills the /submit form with `paper_id` and sends it; answers once the next page is in."""
    from selenium.webdriver.common.by import By
    driver.get(site + "/submit")
    form = driver.find_element(By.CSS_SELECTOR, "form[action='/submit']")
    form.find_element(By.NAME, "paper_id").send_keys(paper_id)
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait_for(driver, lambda d: not d.current_url.endswith("/submit") or d.find_elements(By.CSS_SELECTOR, "[role=alert]"),
             "the submission's answer")


def alert(driver):
    from selenium.webdriver.common.by import By
    return driver.find_element(By.CSS_SELECTOR, "p.notice[role=alert]").text


def api_status(site, path):
    try:
        with urllib.request.urlopen(site + path, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def day_feed(driver, site):
    """The ids of the papers on the feed of the day the server's clock calls today."""
    from selenium.webdriver.common.by import By
    driver.get(f"{site}/papers/date/{CLOCK_DAY}")
    return [link.get_attribute("href").rsplit("/", 1)[1] for link in driver.find_elements(By.CSS_SELECTOR, "article.card h2 a")]


def facts(driver):
    """The paper page's facts (Published, Featured, Submitted by, ...) as a dict of their texts."""
    from selenium.webdriver.common.by import By
    terms = driver.find_elements(By.CSS_SELECTOR, "dl.facts dt")
    return {term.text: term.find_element(By.XPATH, "following-sibling::dd[1]").text for term in terms}


def test_a_reader_submits_by_url_and_sees_the_paper_featured_under_their_name(browser, site, arxiv, screenshot_dir):
    from selenium.webdriver.common.by import By
    driver = browser
    sign_up(driver, site, "chromium_submitter")
    driver.get_log("browser")  # drop messages from earlier pages

    # The catalog lacks the paper: its metadata come from the arXiv API.
    assert api_status(site, f"/api/papers/{RECORDED_PAPER}") == 404
    submit(driver, site, f"https://arxiv.org/abs/{RECORDED_PAPER}v1")
    wait_for(driver, lambda d: d.current_url.endswith(f"/papers/{RECORDED_PAPER}"), "the paper's page")
    assert any(f"id_list={RECORDED_PAPER}" in query for query in arxiv.queries), arxiv.queries
    assert driver.find_element(By.TAG_NAME, "h1").text.startswith("RDD: Retrieval-Based Demonstration Decomposer")
    shown = facts(driver)
    assert shown["Submitted by"] == "chromium_submitter", shown
    assert shown["Featured"] == CLOCK_DAY, shown
    assert shown["Published"] == "2025-10-16", shown
    link = driver.find_element(By.CSS_SELECTOR, "dl.facts a[href='/users/chromium_submitter']")
    # The submitter's upvote comes with the submission.
    vote = driver.find_element(By.CSS_SELECTOR, "form.vote")
    assert vote.find_element(By.CSS_SELECTOR, ".count").text == "1"
    assert vote.find_element(By.TAG_NAME, "button").get_attribute("aria-pressed") == "true"
    driver.save_screenshot(str(screenshot_dir / "submit-submitted-desktop-light.png"))
    assert [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"] == []

    link.click()
    wait_for(driver, lambda d: d.current_url.endswith("/users/chromium_submitter"), "the submitter's page")
    assert driver.find_elements(By.CSS_SELECTOR, f"article.card a[href='/papers/{RECORDED_PAPER}']")

    # The day's feed, the one the server's clock calls today, lists it.
    assert RECORDED_PAPER in day_feed(driver, site)

    # One submission a day on this server: the next one is refused with the rule's words, the
    # id typed stays in the box, and the paper is not stored even though arXiv knows it.
    submit(driver, site, SECOND_RECORDED_PAPER)
    message = alert(driver)
    assert "You have submitted 1 papers today (UTC); the limit is 1 a day. Try again tomorrow." in message, message
    assert "(rule: daily_cap_per_user)" in message, message
    assert driver.find_element(By.NAME, "paper_id").get_attribute("value") == SECOND_RECORDED_PAPER
    driver.save_screenshot(str(screenshot_dir / "submit-refused-desktop-light.png"))
    assert api_status(site, f"/api/papers/{SECOND_RECORDED_PAPER}") == 404
    assert SECOND_RECORDED_PAPER not in day_feed(driver, site)


def test_refusals_say_which_rule_and_store_nothing(browser, site):
    from selenium.webdriver.common.by import By
    driver = browser
    sign_up(driver, site, "chromium_latecomer")

    # A paper of 2007, in the catalog: far past the 7 days after its first version.
    submit(driver, site, OLD_PAPER)
    message = alert(driver)
    assert message.startswith(f"The paper's first version is from 2007-04-02"), message
    assert "papers may be submitted up to 7 days after their first version. (rule: max_age_days)" in message, message
    assert driver.current_url.endswith("/submit")
    driver.get(f"{site}/papers/{OLD_PAPER}")
    shown = facts(driver)
    assert "Submitted by" not in shown and "Featured" not in shown, shown
    assert driver.find_element(By.CSS_SELECTOR, "form.vote .count").text == "0", "no submitter's upvote either"

    # A paper the Hub featured already is featured once.
    submit(driver, site, f"https://huggingface.co/papers/{FEATURED_PAPER}")
    message = alert(driver)
    assert "The paper was already featured on 2026-08-21; a paper is featured once. (rule: not_featured_before)" in message, message
    driver.get(f"{site}/papers/{FEATURED_PAPER}")
    assert facts(driver)["Featured"] == "2026-08-21"
    assert facts(driver).get("Submitted by") != "chromium_latecomer"

    assert OLD_PAPER not in day_feed(driver, site) and FEATURED_PAPER not in day_feed(driver, site)

    # Neither refusal counted against the cap of one a day: a paper that passes the rules goes in.
    submit(driver, site, SECOND_RECORDED_PAPER)
    wait_for(driver, lambda d: d.current_url.endswith(f"/papers/{SECOND_RECORDED_PAPER}"), "the paper's page")
    assert facts(driver)["Submitted by"] == "chromium_latecomer"
