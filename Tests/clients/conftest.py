"""Starts a real `paperboy serve` on a free loopback port, over a catalog loaded from the real
Hugging Face sample, for tests that drive it with real third-party clients."""
import os, socket, subprocess, tempfile, time, urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"


def binary():
    for candidate in (ROOT / ".build" / "debug" / "paperboy", ROOT / ".build" / "release" / "paperboy"):
        if candidate.exists():
            return str(candidate)
    raise RuntimeError("build paperboy first (swift build)")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def paperboy_url():
    work = tempfile.mkdtemp(prefix="paperboy-clients-")
    env = dict(os.environ, PAPERBOY_DATABASE=os.path.join(work, "catalog.sqlite"))
    sample = SHARED / "formats" / "hf_api_daily_papers_date-2026-08-21.json"
    subprocess.run([binary(), "import", str(sample)], env=env, check=True, capture_output=True)
    port = free_port()
    server = subprocess.Popen([binary(), "serve", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(url + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("paperboy serve did not start")
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)
