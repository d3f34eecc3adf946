"""The Hub's own command line, `hf papers ls|search|info|read`, pointed at Paperboy."""
import json, os, subprocess

import pytest


@pytest.fixture()
def hf(paperboy_url):
    def run(*args, check=True):
        env = dict(os.environ, HF_ENDPOINT=paperboy_url, HF_HUB_DISABLE_TELEMETRY="1", NO_COLOR="1")
        result = subprocess.run(["hf", "papers", *args], env=env, capture_output=True, text=True, timeout=60)
        if check:
            assert result.returncode == 0, result.stderr
        return result
    return run


def test_ls_lists_a_day_as_json(hf):
    papers = json.loads(hf("ls", "--date", "2026-08-21", "--format", "json").stdout)
    assert len(papers) == 17
    assert papers[0]["id"] == "2608.19880" and papers[0]["upvotes"] == 163
    trending = json.loads(hf("ls", "--week", "2026-W34", "--sort", "trending", "--format", "json").stdout)
    assert {p["id"] for p in trending} == {p["id"] for p in papers}


def test_search(hf):
    found = json.loads(hf("search", "static worlds", "--limit", "3", "--format", "json").stdout)
    assert found[0]["id"] == "2608.19880"


def test_info_and_read(hf):
    info = json.loads(hf("info", "2608.19880", "--format", "json").stdout)
    assert info["title"].startswith("EnvHarness") and info["authors"][0]["name"] == "Chengsong Huang"
    assert hf("read", "2608.19880").stdout.startswith("# EnvHarness")


def test_an_absent_paper_is_reported(hf):
    result = hf("info", "2501.99999", check=False)
    assert result.returncode != 0
    assert "not found" in result.stderr
