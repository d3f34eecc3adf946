"""The digest email's HTML part, as committed in Tests/DigestsTests/Snapshots/ (the golden files
DigestComposerTests compares the composer's output with byte for byte), opened in real headless
Chromium at a desktop and a phone width.

An email fails on what a reader would notice: a paper title that is hidden or does not lead to
its page on the site, a missing unsubscribe or preferences link, a message wider than the phone's
screen, a console error, or anything a mail program would strip or block (scripts, event
handlers, external style sheets, images). Every problem found is listed before the test fails.
A screenshot of the whole message at each width is kept under test-artifacts/screenshots/
(e.g. digest-daily-phone.png) to look at.

No server is needed: the snapshot is loaded from a file:// URL, as a mail program would render
it without fetching anything."""
import base64
from pathlib import Path

import pytest

# Selenium is imported by conftest when a browser starts, so a missing Selenium fails with its
# "run scripts/setup.sh --tests" message rather than a collection error.

SNAPSHOTS = Path(__file__).resolve().parents[1] / "DigestsTests" / "Snapshots"

# The same screens as test_pages.py: the phone is a touch device that honours the viewport meta.
WIDTHS = {
    "desktop": {"width": 1280, "height": 900, "pixelRatio": 1, "mobile": False, "touch": False},
    "phone": {"width": 390, "height": 844, "pixelRatio": 3, "mobile": True, "touch": True},
}

BASE = "https://papers.example.org"
UNSUBSCRIBE = BASE + "/digest/unsubscribe?s=42&t=9f8e7d6c5b4a"
PREFERENCES = BASE + "/digest/preferences?s=42&t=9f8e7d6c5b4a"

# What DigestFixtures in DigestComposerTests.swift puts in the digests: (arXiv id, title as shown).
PAPERS = [
    ("2611.01234", "Scaling Laws for Diffusion Language Models"),
    ("2611.04242", "<script>alert(\"pwned\")</script> & \"Quotes\" — Attention's <b>Bold</b> Claims"),
    ("hep-th/9901001", "Pneumonoultramicroscopicsilicovolcanoconiosis-and-other-remarkably-long-unbroken-words in titles"),
]
DIGESTS = {
    "daily": {"period": BASE + "/papers/date/2026-11-24", "papers": PAPERS},
    "weekly": {"period": BASE + "/papers/week/2026-W48", "papers": list(reversed(PAPERS))},
}

CASES = [pytest.param(name, width, id=f"{name}-{width}") for name in DIGESTS for width in WIDTHS]

# One round trip that measures the message: the paper title links in order, the boxes that stick
# out of the viewport, and whatever a mail program would refuse to run or load.
PROBE = """
const [unsubscribeHref, preferencesHref, periodHref] = arguments;
const box = el => { const r = el.getBoundingClientRect();
  return {left: r.left, right: r.right, top: r.top, width: r.width, height: r.height}; };
const visible = el => { const s = getComputedStyle(el), r = el.getBoundingClientRect();
  return s.display !== 'none' && s.visibility !== 'hidden' && r.width > 0 && r.height > 0; };
const link = href => { const a = Array.from(document.querySelectorAll('a')).find(a => a.getAttribute('href') === href);
  return a ? {text: a.textContent.trim().replace(/\\s+/g, ' '), visible: visible(a), box: box(a)} : null; };
const outside = Array.from(document.querySelectorAll('body *')).filter(visible)
  .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1 || el.getBoundingClientRect().left < -1)
  .map(el => el.tagName.toLowerCase() + ' ' + el.textContent.trim().slice(0, 40));
const handlers = Array.from(document.querySelectorAll('*')).flatMap(el =>
  Array.from(el.attributes).filter(a => a.name.toLowerCase().startsWith('on')).map(a => el.tagName.toLowerCase() + '[' + a.name + ']'));
const column = Array.from(document.querySelectorAll('table')).find(t => t.style.maxWidth === '600px');
return {
  innerWidth: window.innerWidth,
  scrollWidth: document.scrollingElement.scrollWidth,
  titles: Array.from(document.querySelectorAll('h2 a')).map(a => ({
    href: a.getAttribute('href'), text: a.textContent.trim().replace(/\\s+/g, ' '), visible: visible(a), box: box(a),
    fontSize: parseFloat(getComputedStyle(a).fontSize)})),
  outside: outside,
  column: column ? box(column) : null,
  scripts: document.scripts.length,
  handlers: handlers,
  images: document.images.length,
  stylesheets: document.querySelectorAll('link[rel~="stylesheet"], style').length,
  unsubscribe: link(unsubscribeHref), preferences: link(preferencesHref), period: link(periodHref),
};
"""


def load(driver, url):
    """Open `url`; return the SEVERE console messages it logged."""
    driver.get_log("browser")  # drop what earlier pages logged
    driver.get(url)
    return [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def save_full_screenshot(driver, path):
    """The whole message, not only the first screen: Chromium renders beyond the viewport."""
    metrics = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
    size = metrics.get("cssContentSize") or metrics["contentSize"]
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1},
    })
    path.write_bytes(base64.b64decode(shot["data"]))


@pytest.mark.parametrize("name, width", CASES)
def test_digest_renders(name, width, browsers, screenshot_dir):
    snapshot = SNAPSHOTS / f"{name}.html"
    if not snapshot.exists():
        pytest.fail(f"{snapshot} is missing: write it with UPDATE_SNAPSHOTS=1 swift test --filter DigestComposerTests",
                    pytrace=False)
    expected = DIGESTS[name]
    problems = []

    driver = browsers.get(width, WIDTHS[width])
    severe = load(driver, snapshot.as_uri())
    save_full_screenshot(driver, screenshot_dir / f"digest-{name}-{width}.png")
    for entry in severe:
        problems.append(f"console {entry['level']} ({entry.get('source', '?')}): {entry['message']}")

    probe = driver.execute_script(PROBE, UNSUBSCRIBE, PREFERENCES, expected["period"])
    viewport = probe["innerWidth"]
    if viewport != WIDTHS[width]["width"]:
        problems.append(f"viewport is {viewport}px wide, expected {WIDTHS[width]['width']}px "
                        "(missing <meta name=viewport content=\"width=device-width\">?)")
    if probe["scrollWidth"] > viewport + 1:
        problems.append(f"horizontal overflow: the message is {probe['scrollWidth']}px wide in a {viewport}px viewport")
    for what in probe["outside"][:5]:
        problems.append(f"sticks out of the {viewport}px viewport: {what!r}")

    # Every paper, in order: its title shown in full and linked to its page on the site.
    titles = probe["titles"]
    if [t["href"] for t in titles] != [f"{BASE}/papers/{paper_id}" for paper_id, _ in expected["papers"]]:
        problems.append("paper title links are " + ", ".join(t["href"] for t in titles)
                        + "; expected " + ", ".join(f"{BASE}/papers/{i}" for i, _ in expected["papers"]))
    for title, (paper_id, text) in zip(titles, expected["papers"]):
        if title["text"] != text:
            problems.append(f"the title of {paper_id} reads {title['text']!r}, expected {text!r}")
        if not title["visible"]:
            problems.append(f"the title of {paper_id} is not visible")
        elif title["box"]["left"] < -1 or title["box"]["right"] > viewport + 1:
            problems.append(f"the title of {paper_id} spans {title['box']['left']:.0f}..{title['box']['right']:.0f}px "
                            f"in a {viewport}px viewport")
        if title["fontSize"] < 16:
            problems.append(f"the title of {paper_id} is set in {title['fontSize']}px type, too small to tap on a phone")

    for key, label, text in (("unsubscribe", "unsubscribe", "Unsubscribe"),
                             ("preferences", "preferences", "Change topics or frequency"),
                             ("period", "same period on the site", None)):
        found = probe[key]
        if found is None:
            problems.append(f"no {label} link")
        elif not found["visible"]:
            problems.append(f"the {label} link is not visible")
        elif text and found["text"] != text:
            problems.append(f"the {label} link reads {found['text']!r}, expected {text!r}")

    # One centred column, at most 600px wide, that takes the phone's width.
    column = probe["column"]
    if column is None:
        problems.append("no table with max-width:600px (the message's column)")
    else:
        if column["width"] > 600.5:
            problems.append(f"the column is {column['width']:.0f}px wide, more than 600px")
        if width == "desktop" and abs(column["left"] - (viewport - column["right"])) > 2:
            problems.append(f"the column is not centred ({column['left']:.0f}px left, {viewport - column['right']:.0f}px right)")
        if width == "phone" and column["width"] < viewport - 40:
            problems.append(f"the column is {column['width']:.0f}px wide on a {viewport}px phone: it should fill it")

    # What mail programs strip or block would make the message differ from what we tested.
    if probe["scripts"]:
        problems.append(f"{probe['scripts']} <script> element(s)")
    for handler in probe["handlers"]:
        problems.append(f"event handler attribute {handler}")
    if probe["images"]:
        problems.append(f"{probe['images']} image(s): mail programs block them until asked")
    if probe["stylesheets"]:
        problems.append(f"{probe['stylesheets']} <style>/<link> style sheet(s): styles must be inline")

    if problems:
        pytest.fail(f"{snapshot.name} at {width} width:\n  " + "\n  ".join(problems), pytrace=False)
