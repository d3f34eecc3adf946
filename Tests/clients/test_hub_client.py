"""The real Hugging Face Hub client, pointed at Paperboy, must work unchanged."""
import pytest


@pytest.fixture()
def api(paperboy_url, monkeypatch):
    from huggingface_hub import HfApi
    return HfApi(endpoint=paperboy_url)


def test_list_daily_papers_of_a_day(api):
    papers = list(api.list_daily_papers(date="2026-08-21"))
    assert len(papers) == 17
    first = papers[0]
    assert first.id == "2608.19880"
    assert first.title == "EnvHarness: Awakening Static Worlds for Agent Learning"
    assert first.upvotes == 163
    assert first.authors[0].name == "Chengsong Huang"
    assert first.submitted_by.username == "taesiri"
    assert [p.upvotes for p in papers] == sorted((p.upvotes for p in papers), reverse=True)


def test_list_daily_papers_by_week_sorted_and_paged(api):
    page = list(api.list_daily_papers(week="2026-W34", sort="trending", limit=5, p=1))
    assert len(page) == 5
    assert len(list(api.list_daily_papers(month="2026-07"))) == 0


def test_paper_info(api):
    paper = api.paper_info("2608.19880")
    assert paper.id == "2608.19880"
    assert paper.title.startswith("EnvHarness")
    assert paper.github_repo == "https://github.com/google-research/envharness"
    assert paper.published_at.year == 2026


def test_paper_info_of_an_absent_paper_is_an_error(api):
    from huggingface_hub.errors import HfHubHTTPError
    with pytest.raises(HfHubHTTPError) as raised:
        api.paper_info("2501.99999")
    assert raised.value.response.status_code == 404


def test_bad_parameters_are_reported(api):
    from huggingface_hub.errors import HfHubHTTPError
    with pytest.raises(HfHubHTTPError) as raised:
        list(api.list_daily_papers(date="2026-13-01"))
    assert raised.value.response.status_code == 400


def test_read_paper_as_markdown(api):
    text = api.read_paper("2608.19880")
    assert text.startswith("# EnvHarness: Awakening Static Worlds for Agent Learning")
    assert "## Abstract" in text and "Chengsong Huang" in text


def test_list_papers_searches(api):
    found = list(api.list_papers(query="static worlds agent learning", limit=5))
    assert found and found[0].id == "2608.19880"
    assert found[0].title.startswith("EnvHarness")
    assert list(api.list_papers(query="zzzqqqxxx")) == []
