"""Session fixtures: Paperboy servers over the real Hub sample and over the demo set."""
import pytest

from paperboy_process import DEMO, HF_SAMPLE, RunningPaperboy


@pytest.fixture(scope="session")
def paperboy_url():
    """Paperboy over the real Hub response of 2026-08-21 (17 papers on one day), with the
    embedding model: search is hybrid, similar papers are by meaning."""
    server = RunningPaperboy(HF_SAMPLE, semantic=True)
    yield server.url
    server.stop()


@pytest.fixture(scope="session")
def demo_url():
    """Paperboy over the demo set shipped in the repo (440 papers, 20 featured days), keyword
    search only."""
    server = RunningPaperboy(DEMO)
    yield server.url
    server.stop()
