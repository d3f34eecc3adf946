"""Every kind of HTML page Paperboy serves, loaded in real headless Chromium at a desktop and a
phone width, in light and dark colour schemes.

A page fails on anything a reader would notice: a wrong HTTP status, a SEVERE console message
(a JS error or a resource that failed to load, the favicon included), a page wider than the
screen, a missing or hidden heading, search form or subscribe box, a broken image, a card that
overflows, or a colour scheme that is ignored. Each test collects every problem it finds before
failing, so one run shows all that is wrong with a page. A screenshot of each page x width x
scheme is kept under test-artifacts/screenshots/ (e.g. day-phone-dark.png) to look at."""
import urllib.error, urllib.request
from dataclasses import dataclass

import pytest

# Selenium is imported inside the functions that use it, so that when it is missing the tests
# fail with conftest's "run scripts/setup.sh --tests" message instead of a collection error.

# The two screens, as chromedriver deviceMetrics: the phone is a touch device with a device pixel
# ratio of 3, so `width=device-width` and the page's media queries apply as on a real phone.
WIDTHS = {
    "desktop": {"width": 1280, "height": 900, "pixelRatio": 1, "mobile": False, "touch": False},
    "phone": {"width": 390, "height": 844, "pixelRatio": 3, "mobile": True, "touch": True},
}


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    status: int = 200
    cards: bool = False  # must list at least one paper card (article.card)


PAGES = [
    Page("latest", "/papers", cards=True),
    Page("day", "/papers/date/2026-08-21", cards=True),
    Page("week", "/papers/week/2026-W34", cards=True),
    Page("month", "/papers/month/2026-08", cards=True),
    Page("trending", "/papers/trending", cards=True),
    Page("paper", "/papers/2608.19880"),
    Page("user", "/users/taesiri"),
    Page("search", "/search?q=agents"),
    Page("subscribe", "/subscribe"),
    Page("not-found", "/papers/9999.99999", status=404),
]

# The listing pages again with each sort order: same layout, so desktop and light only (fast).
SORTED = [Page(f"{p.name}-sort-{sort}", f"{p.path}?sort={sort}", cards=True)
          for p in PAGES[:4] for sort in ("trending", "newest")]

CASES = [pytest.param(page, width, scheme, id=f"{page.name}-{width}-{scheme}")
         for page in PAGES for width in WIDTHS for scheme in ("light", "dark")]
CASES += [pytest.param(page, "desktop", "light", id=f"{page.name}-desktop-light") for page in SORTED]

# Luminance (WCAG relative luminance, 0 black .. 1 white) a background must stay under in dark
# mode and over in light mode; #141416 is ~0.007, #fff is 1, #ccc is ~0.6.
DARK_MAX, LIGHT_MIN = 0.1, 0.6


def http_status(url):
    """(status, content type) of a GET, without raising on 4xx/5xx."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", "")


def luminance(rgb):
    def channel(value):
        value /= 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(v) for v in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b):
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


# One round trip that measures the page. Colours go through a 1x1 canvas so any CSS colour syntax
# (rgb(), oklch(), color(srgb ...)) comes back as sRGB bytes [r, g, b, a]. `spills` lists the
# innermost boxes in and including a card whose content is wider than they are and shows outside
# them (overflow-x: visible; a box that scrolls or clips on purpose is left alone; inline boxes
# have no width of their own to overflow).
PROBE = """
const toRGBA = css => {
  const ctx = Object.assign(document.createElement('canvas'), {width: 1, height: 1}).getContext('2d');
  ctx.fillStyle = css; ctx.fillRect(0, 0, 1, 1);
  return Array.from(ctx.getImageData(0, 0, 1, 1).data);
};
const box = el => { if (!el) return null; const r = el.getBoundingClientRect();
  return {left: r.left, right: r.right, width: r.width, height: r.height}; };
const describe = el => {
  const own = el.tagName.toLowerCase() + (el.classList.length ? '.' + Array.from(el.classList).join('.') : '');
  const named = el.parentElement && !el.classList.length ? el.parentElement.closest('[class]') : null;
  return named ? describe(named) + ' ' + own : own;
};
const spills = root => [root, ...root.querySelectorAll('*')].filter(el => {
  const style = getComputedStyle(el);
  return style.display !== 'inline' && style.overflowX === 'visible' && el.clientWidth > 0
    && el.scrollWidth > el.clientWidth + 1;
}).filter((el, _, all) => !all.some(other => other !== el && el.contains(other))).map(el => ({what: describe(el), scrollWidth: el.scrollWidth, clientWidth: el.clientWidth,
               text: el.textContent.trim().replace(/\\s+/g, ' ').slice(0, 40)}));
const search = document.querySelector('form.search');
const body = getComputedStyle(document.body), html = getComputedStyle(document.documentElement);
const icon = document.querySelector('link[rel~="icon"]');
return {
  innerWidth: window.innerWidth,
  scrollWidth: document.scrollingElement.scrollWidth,
  darkMatches: matchMedia('(prefers-color-scheme: dark)').matches,
  bodyBackground: toRGBA(body.backgroundColor),
  htmlBackground: toRGBA(html.backgroundColor),
  bodyColor: toRGBA(body.color),
  icon: icon ? icon.href : new URL('/favicon.ico', location.href).href,
  h1: box(document.querySelector('main h1')),
  searchAction: search ? new URL(search.getAttribute('action') || '', location.href).pathname : null,
  searchMethod: search ? search.method : null,
  searchInput: box(document.querySelector('form.search input[name="q"]')),
  emailInput: box(document.querySelector('form.subscribe input[type="email"]')),
  brokenImages: Array.from(document.images).filter(i => i.naturalWidth === 0)
    .map(i => i.currentSrc || i.src || i.outerHTML.slice(0, 120)),
  cards: Array.from(document.querySelectorAll('article.card')).map(card => {
    const r = card.getBoundingClientRect();
    return {left: r.left, right: r.right, spills: spills(card),
            title: (card.querySelector('h2, h3') || card).textContent.trim().slice(0, 60)};
  }),
};
"""

# Required elements: (CSS selector, probe key of its box, what to call it in a failure).
REQUIRED = [
    ("main h1", "h1", "the page's <main> <h1>"),
    ("form.search", None, "the search form (form.search)"),
    ('form.search input[name="q"]', "searchInput", 'the search box (form.search input[name="q"])'),
    ("form.subscribe", None, "the subscribe box (form.subscribe)"),
    ('form.subscribe input[type="email"]', "emailInput", "the subscribe email input"),
]


def load(driver, url, scheme):
    """Open `url` with the colour scheme emulated; return the SEVERE console messages it logged."""
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    driver.execute_cdp_cmd("Emulation.setEmulatedMedia",
                           {"features": [{"name": "prefers-color-scheme", "value": scheme}]})
    driver.get_log("browser")  # drop what earlier pages logged
    driver.get(url)
    # Lazy images below the fold would never load in a still viewport: make them all load now,
    # so a broken one is found wherever it is on the page.
    driver.execute_script("document.querySelectorAll('img[loading=\"lazy\"]').forEach(i => i.loading = 'eager')")
    try:
        WebDriverWait(driver, 10).until(
            lambda d: d.execute_script("return Array.from(document.images).every(i => i.complete)"))
    except TimeoutException:
        pass  # the unfinished ones are reported as broken images below
    return [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


@pytest.mark.parametrize("page, width, scheme", CASES)
def test_page_renders(page, width, scheme, demo_url, browsers, screenshot_dir, request):
    url = demo_url + page.path
    problems = []

    status, content_type = http_status(url)
    if status != page.status:
        problems.append(f"HTTP status {status}, expected {page.status}")
    if not content_type.startswith("text/html"):
        problems.append(f"Content-Type {content_type!r}, expected text/html")

    driver = browsers.get(width, WIDTHS[width])
    severe = load(driver, url, scheme)
    driver.save_screenshot(str(screenshot_dir / f"{request.node.callspec.id}.png"))

    for entry in severe:
        # The only failed load allowed is the expected 404 of the not-found page itself.
        if page.status == 404 and entry["message"].startswith(f"{url} - ") and "status of 404" in entry["message"]:
            continue
        problems.append(f"console {entry['level']} ({entry.get('source', '?')}): {entry['message']}")

    probe = driver.execute_script(PROBE)
    viewport = probe["innerWidth"]
    if viewport != WIDTHS[width]["width"]:
        problems.append(f"viewport is {viewport}px wide, expected {WIDTHS[width]['width']}px "
                        "(missing <meta name=viewport content=\"width=device-width\">?)")
    if probe["scrollWidth"] > viewport + 1:
        problems.append(f"horizontal overflow: the page is {probe['scrollWidth']}px wide in a {viewport}px viewport")

    # Chromium asks for the favicon once per session and remembers a failure, so its console
    # error shows on one page at most: fetch the icon each page points to (or /favicon.ico).
    icon_status, _ = (200, "") if probe["icon"].startswith("data:") else http_status(probe["icon"])
    if icon_status != 200:
        problems.append(f"favicon {probe['icon']} answers {icon_status}")

    from selenium.webdriver.common.by import By
    for selector, key, label in REQUIRED:
        elements = driver.find_elements(By.CSS_SELECTOR, selector)
        if not elements:
            problems.append(f"{label} is missing")
        elif not elements[0].is_displayed():
            problems.append(f"{label} is not visible")
        elif key:
            b = probe[key]
            if b["width"] < 1 or b["height"] < 1:
                problems.append(f"{label} has no size ({b['width']}x{b['height']})")
            elif b["left"] < -1 or b["right"] > viewport + 1:
                problems.append(f"{label} sticks out of the {viewport}px viewport ({b['left']:.0f}..{b['right']:.0f})")
    if probe["searchAction"] is not None and (probe["searchAction"], probe["searchMethod"]) != ("/search", "get"):
        problems.append(f"the search form sends {probe['searchMethod'].upper()} to {probe['searchAction']}, "
                        "expected GET /search")

    for src in probe["brokenImages"]:
        problems.append(f"image failed to load: {src}")

    if page.cards and not probe["cards"]:
        problems.append("no paper cards (article.card) on a listing page")
    spilled = {}  # box description -> (how many cards, first example), one line per kind of box
    for card in probe["cards"]:
        if card["left"] < -1 or card["right"] > viewport + 1:
            problems.append(f"card {card['title']!r} spans {card['left']:.0f}..{card['right']:.0f}px "
                            f"in a {viewport}px viewport")
        for spill in card["spills"]:
            count, example = spilled.get(spill["what"], (0, spill))
            spilled[spill["what"]] = (count + 1, example)
    for what, (count, example) in spilled.items():
        problems.append(f"in {count} card(s), {what} overflows its box: content {example['scrollWidth']}px "
                        f"wide in {example['clientWidth']}px (e.g. {example['text']!r})")

    # The colour scheme: body's background (html's if body's is transparent) must follow it,
    # and body text must stay readable on it (WCAG AA, 4.5:1).
    if probe["darkMatches"] != (scheme == "dark"):
        problems.append(f"emulating prefers-color-scheme: {scheme} did not take effect")
    background = probe["bodyBackground"] if probe["bodyBackground"][3] else probe["htmlBackground"]
    if background[3] == 0:
        problems.append("neither body nor html has a background colour")
    else:
        lum = luminance(background)
        if scheme == "dark" and lum > DARK_MAX:
            problems.append(f"dark mode background rgb{tuple(background[:3])} is light (luminance {lum:.2f})")
        if scheme == "light" and lum < LIGHT_MIN:
            problems.append(f"light mode background rgb{tuple(background[:3])} is dark (luminance {lum:.2f})")
        ratio = contrast(probe["bodyColor"], background)
        if ratio < 4.5:
            problems.append(f"body text rgb{tuple(probe['bodyColor'][:3])} on rgb{tuple(background[:3])} "
                            f"has contrast {ratio:.1f}:1, below 4.5:1")

    if problems:
        pytest.fail(f"{page.path} at {width} width, {scheme}:\n  " + "\n  ".join(problems), pytrace=False)
