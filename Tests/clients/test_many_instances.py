"""Many `paperboy serve` instances on one PostgreSQL, as behind a load balancer: votes cast
through both are counted exactly, the digest schedules of both send each email once, a paper
imported by one process shows on both, and an instance whose database goes away fails its
health check and recovers by itself when the database comes back, losing nothing.

Needs PostgreSQL: scripts/test.sh starts a throw-away cluster and sets
PAPERBOY_TEST_POSTGRES_URL; without it these tests are skipped (PAPERBOY_REQUIRE_POSTGRES=1,
as in CI, makes that a failure)."""
import json, os, re, subprocess, sys, tempfile, threading, time, urllib.error, urllib.request, uuid
from collections import Counter
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from paperboy_process import DEMO, ROOT, binary, free_port, psql, start_serve, with_database  # noqa: E402
from test_digests import FROM, Inbox, subscribe  # noqa: E402

ADMIN_URL = os.environ.get("PAPERBOY_TEST_POSTGRES_URL", "")
if not ADMIN_URL and os.environ.get("PAPERBOY_REQUIRE_POSTGRES") != "1":
    pytest.skip("needs PostgreSQL (PAPERBOY_TEST_POSTGRES_URL)", allow_module_level=True)

PAPER = "2608.14022"  # in the demo set, featured on 2026-08-21


@pytest.fixture
def database():
    """A fresh, empty database on the test server, with the demo papers; dropped afterwards."""
    assert ADMIN_URL, "PAPERBOY_REQUIRE_POSTGRES=1 but PAPERBOY_TEST_POSTGRES_URL is not set"
    name = "paperboy_py_" + uuid.uuid4().hex
    psql(ADMIN_URL, f"CREATE DATABASE {name}")
    url = with_database(ADMIN_URL, name)
    env = dict(os.environ, PAPERBOY_DATABASE=url)
    paperboy(env, "import", str(DEMO), "--no-embed")
    yield env
    psql(ADMIN_URL, f"DROP DATABASE {name} WITH (FORCE)")


def paperboy(env, *args, input=None):
    result = subprocess.run([binary(), *args], env=env, capture_output=True, text=True, timeout=300, input=input)
    if result.returncode != 0:
        raise AssertionError(f"paperboy {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result.stdout


class Instance:
    """`paperboy serve` on a free port; `url` once it answers /healthz."""

    def __init__(self, env, *args):
        self.log = tempfile.NamedTemporaryFile("w+", prefix="paperboy-serve-", suffix=".log", delete=False)
        try:
            self.process, self.url = start_serve(env, "--no-semantic", *args, log=self.log, wait=120)
        except RuntimeError as error:
            self.log.close()
            raise RuntimeError(f"{error}: {Path(self.log.name).read_text()[-2000:]}") from None

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        self.log.close()

    def get(self, path, timeout=10):
        with urllib.request.urlopen(self.url + path, timeout=timeout) as answer:
            return answer.status, answer.read().decode()

    def status(self, path, timeout=10):
        try:
            return self.get(path, timeout)[0]
        except urllib.error.HTTPError as error:
            return error.code
        except OSError:
            return None

    def vote(self, token, paper, voted=True):
        request = urllib.request.Request(f"{self.url}/api/papers/{paper}/upvote", method="POST" if voted else "DELETE",
                                         headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status


def upvotes(instance, paper):
    return json.loads(instance.get(f"/api/papers/{paper}")[1])["upvotes"]


def test_votes_through_two_instances_are_counted_exactly(database):
    a, b = Instance(database), Instance(database)
    try:
        before = upvotes(a, PAPER)
        assert upvotes(b, PAPER) == before
        voters = []
        for i in range(12):
            paperboy(database, "user", "create", "--username", f"voter{i}", "--email", f"voter{i}@example.org",
                     "--password-cost", "10", input="correct horse battery\n")
            voters.append(paperboy(database, "user", "token", "--username", f"voter{i}").strip())
        # Every voter votes through both instances at once, twice each: one vote each counts.
        threads = [threading.Thread(target=site.vote, args=(token, PAPER)) for token in voters for site in (a, b, a, b)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert upvotes(a, PAPER) == before + 12
        assert upvotes(b, PAPER) == before + 12
        # Four withdraw through the other instance at once; the rest stay.
        threads = [threading.Thread(target=site.vote, args=(token, PAPER, False)) for token in voters[:4] for site in (b, a)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert upvotes(a, PAPER) == upvotes(b, PAPER) == before + 8
        # A paper imported by another process shows on both, and the pages both serve agree.
        record = {"arxiv_id": "2608.99999", "title": "Imported while both served", "abstract": "Shown everywhere.",
                  "authors": ["Ada Lovelace"], "published": "2026-08-20T00:00:00Z"}
        with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
            f.write(json.dumps(record) + "\n")
        paperboy(database, "import", f.name, "--no-embed")
        for site in (a, b):
            assert "Imported while both served" in site.get("/papers/2608.99999")[1]
            assert "Imported while both served" in site.get("/search?q=imported+while+both+served")[1]
    finally:
        a.stop()
        b.stop()


def test_the_digest_schedules_of_two_instances_send_each_email_once(database):
    inbox = Inbox(delay=0.002)
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    daily = [f"daily{i}@example.org" for i in range(150)]
    weekly = [f"weekly{i}@example.org" for i in range(50)]
    for addresses, frequency in ((daily, "daily"), (weekly, "weekly")):
        subscribe(database, addresses, "--frequency", frequency)
    # Both due at once: Monday 2026-08-24 after 08:00 UTC, Friday's daily digest and last week's.
    args = ("--smtp-host", "127.0.0.1", "--smtp-port", str(controller.port), "--smtp-tls", "never", "--mail-from", FROM,
            "--clock", "2026-08-24T09:30:00Z", "--digest-time", "08:00", "--digest-time-zone", "UTC")
    sites = [Instance(database, *args), Instance(database, *args)]
    try:
        deadline = time.time() + 240
        while inbox.count() < 200 and time.time() < deadline:
            time.sleep(0.2)
        time.sleep(2)  # nothing more should come
    finally:
        for site in sites:
            site.stop()
        controller.stop()
    received = inbox.recipients()
    assert received == Counter({address: 1 for address in daily + weekly})
    status = paperboy(database, "digest", "status", "--period", "daily:2026-08-21", "--period", "weekly:2026-W34")
    assert "daily:2026-08-21: 0 queued, 0 sending, 0 committed, 150 delivered" in status, status
    assert "weekly:2026-W34: 0 queued, 0 sending, 0 committed, 50 delivered" in status, status


def test_an_instance_recovers_by_itself_when_its_database_comes_back():
    """On a cluster of its own, stopped mid-run and started again: requests fail with 503 and a
    clear word while it is down, /healthz says why, nothing written before is lost, and the
    instance serves again without a restart."""
    script = ROOT / "scripts" / "postgres-test.sh"
    started = subprocess.run(["bash", str(script), "start"], capture_output=True, text=True, check=True, timeout=180).stdout
    exports = dict(re.findall(r"export (\w+)=(\S+)", started))
    folder = exports["PAPERBOY_TEST_POSTGRES_DIR"]
    env = dict(os.environ, PAPERBOY_DATABASE=exports["PAPERBOY_TEST_POSTGRES_URL"])
    site = None
    try:
        paperboy(env, "import", str(DEMO), "--no-embed")
        paperboy(env, "user", "create", "--username", "ann", "--email", "ann@example.org", "--password-cost", "10",
                 input="correct horse battery\n")
        token = paperboy(env, "user", "token", "--username", "ann").strip()
        site = Instance(env)
        before = upvotes(site, PAPER)
        assert site.vote(token, PAPER) == 200
        assert upvotes(site, PAPER) == before + 1

        subprocess.run(["bash", str(script), "pause", folder], check=True, timeout=120)
        assert site.status("/healthz", timeout=30) == 503
        try:
            site.get("/api/papers/search?q=attention", timeout=120)
            raise AssertionError("a search answered while the database was down")
        except urllib.error.HTTPError as error:
            assert error.code == 503
            assert error.headers["Retry-After"]
            assert "database is unavailable" in error.read().decode()
        try:
            urllib.request.urlopen(site.url + "/healthz", timeout=30)
        except urllib.error.HTTPError as error:
            assert "unhealthy: database" in error.read().decode()

        subprocess.run(["bash", str(script), "resume", folder], check=True, timeout=120)
        deadline = time.time() + 120
        while site.status("/healthz") != 200 and time.time() < deadline:
            time.sleep(0.5)
        assert site.status("/healthz") == 200, "the instance did not recover by itself"
        assert site.process.poll() is None
        assert upvotes(site, PAPER) == before + 1, "the vote cast before the outage is kept"
        assert site.vote(token, PAPER, voted=False) == 200
        assert upvotes(site, PAPER) == before
    finally:
        if site:
            site.stop()
        subprocess.run(["bash", str(script), "stop", folder], timeout=120)


def test_a_database_that_is_not_there_is_a_clear_error_at_start():
    port = free_port()
    env = dict(os.environ, PAPERBOY_DATABASE=f"postgres://paperboy:secret@127.0.0.1:{port}/paperboy?sslmode=disable")
    result = subprocess.run([binary(), "serve", "--port", str(free_port()), "--no-semantic", "--database-wait", "3"],
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert f"cannot open the PostgreSQL catalog at 127.0.0.1:{port}" in result.stderr, result.stderr
    assert "secret" not in result.stderr, "the password never shows"
    assert "not reachable yet; trying again" in result.stderr
