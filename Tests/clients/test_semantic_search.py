"""Semantic and hybrid search, and similar papers, through a real server with the embedding
model, read by the Hugging Face Hub client and plain HTTP."""
import json, urllib.parse, urllib.request

from huggingface_hub import HfApi


def search(url, q, **params):
    with urllib.request.urlopen(url + "/api/papers/search?" + urllib.parse.urlencode({"q": q, **params}), timeout=30) as r:
        return r.headers, [item["paper"]["id"] for item in json.loads(r.read())]


def test_the_hub_client_finds_a_paper_by_meaning(paperboy_url):
    # No paper of the sample contains these words; the ASR benchmark paper means them.
    found = [p.id for p in HfApi(endpoint=paperboy_url).list_papers(query="recognizing spoken words")]
    assert found[0] == "2608.19936"
    headers, keyword = search(paperboy_url, "recognizing spoken words", mode="keyword")
    assert keyword == []
    assert headers["X-Search-Mode"] == "keyword"


def test_modes_are_reported_and_nonsense_finds_nothing(paperboy_url):
    for mode in ("keyword", "semantic", "hybrid"):
        headers, ids = search(paperboy_url, "memory mistakes of chatbots", mode=mode, limit=3)
        assert headers["X-Search-Mode"] == mode
        assert "X-Search-Notice" not in headers
        assert ids[0] == "2608.20202"
    for nonsense in ("zzzqqqxxx", "banana bread", "🤖"):
        assert search(paperboy_url, nonsense)[1] == [], nonsense


def test_similar_papers(paperboy_url):
    with urllib.request.urlopen(paperboy_url + "/api/papers/2608.19936/similar?limit=3", timeout=30) as r:
        ids = [item["paper"]["id"] for item in json.loads(r.read())]
    assert len(ids) == 3 and "2608.19936" not in ids
    assert "2608.19863" in ids, "the other audio paper"
    with urllib.request.urlopen(paperboy_url + "/papers/2608.19936", timeout=30) as r:
        page = r.read().decode()
    assert "Similar papers" in page and 'href="/papers/2608.19863"' in page
