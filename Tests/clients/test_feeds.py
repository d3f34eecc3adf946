"""RSS and Atom feeds read by a real feed parser (PyPI feedparser), and found by autodiscovery."""
import re, urllib.request

import feedparser


def fetch(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read()


def parse(url):
    feed = feedparser.parse(fetch(url))
    assert not feed.bozo, f"{url}: {feed.get('bozo_exception')}"
    return feed


def test_daily_feed_in_both_formats(demo_url):
    for suffix, version in (("rss", "rss20"), ("atom", "atom10")):
        feed = parse(f"{demo_url}/feeds/daily.{suffix}")
        assert feed.version == version
        assert feed.feed.title == "Daily Papers"
        assert len(feed.entries) == 100
        first = feed.entries[0]
        assert first.link.startswith(demo_url + "/papers/")
        assert first.title and first.summary
        # The day it entered the feed: RSS pubDate, Atom updated (Atom's published is arXiv's).
        featured = first.published_parsed if suffix == "rss" else first.updated_parsed
        assert featured[:3] == (2026, 8, 21)
        assert first.get("authors"), "authors are listed"


def test_trending_and_search_feeds(demo_url):
    trending = parse(f"{demo_url}/feeds/trending.atom")
    assert len(trending.entries) == 50
    search = parse(f"{demo_url}/feeds/search.rss?q=agent+memory")
    assert search.entries and all("memor" in (e.title + e.summary).lower() for e in search.entries), "memory, memories"
    days = [e.published_parsed for e in search.entries]
    assert days == sorted(days, reverse=True), "newest first"
    assert parse(f"{demo_url}/feeds/search.atom?q=zzzqqqxxx").entries == []


def test_pages_announce_their_feeds(demo_url):
    """Feed readers find the feeds from the pages' <link rel="alternate"> tags."""
    for page, expected in (("/papers", "/feeds/daily.rss"), ("/papers/trending", "/feeds/trending.atom"),
                           ("/search?q=diffusion", "/feeds/search.rss?q=diffusion")):
        html = fetch(demo_url + page).decode()
        links = re.findall(r'<link rel="alternate" type="application/(?:rss|atom)\+xml" title="[^"]*" href="([^"]+)"', html)
        assert expected in [l.replace("&amp;", "&") for l in links], (page, links)
        feed = parse(demo_url + links[0].replace("&amp;", "&"))
        assert feed.entries
