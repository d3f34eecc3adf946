"""A real `paperboy serve` process on a free loopback port over a fresh catalog, for the tests
that drive it with real third-party programs (the Hugging Face Hub client and CLI, a feed
parser, an OpenAPI validator, headless Chromium)."""
import os, socket, subprocess, tempfile, time, urllib.request, uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
HF_SAMPLE = SHARED / "formats" / "hf_api_daily_papers_date-2026-08-21.json"
DEMO = ROOT / "demo" / "daily_papers_demo.jsonl.gz"


def binary():
    """The paperboy binary under test: $PAPERBOY_BIN, else the debug build, else the release one."""
    if os.environ.get("PAPERBOY_BIN"):
        return os.environ["PAPERBOY_BIN"]
    for candidate in (ROOT / ".build" / "debug" / "paperboy", ROOT / ".build" / "release" / "paperboy"):
        if candidate.exists():
            return str(candidate)
    raise RuntimeError("build paperboy first (swift build)")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_serve(env, *args, log=subprocess.DEVNULL, wait=30):
    """`paperboy serve` with `args` on a free loopback port; answers (process, url) once it
    answers /healthz. Raises RuntimeError, the process killed, when it exits first or `wait`
    seconds pass."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen([binary(), "serve", "--port", str(port), *args], env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.time() + wait
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url + "/healthz", timeout=2)
            return process, url
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.1)
    process.kill()
    process.wait()
    raise RuntimeError("paperboy serve did not start")


def with_database(url, name):
    """A PostgreSQL URL with another database."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def psql(url, sql):
    """One statement through psql (Debian's postgresql-client), which takes the URL as is."""
    plain = url.replace("?sslmode=disable", "")
    subprocess.run(["psql", plain, "-v", "ON_ERROR_STOP=1", "-q", "-c", sql], check=True, capture_output=True, timeout=60)


def fresh_database(work):
    """Where a test server keeps its catalog: a SQLite file in `work`, or, with
    PAPERBOY_TEST_BACKEND=postgres (scripts/test.sh runs the client suites a second time so), a
    new database on the server of PAPERBOY_TEST_POSTGRES_URL."""
    if os.environ.get("PAPERBOY_TEST_BACKEND") != "postgres":
        return os.path.join(work, "catalog.sqlite")
    admin = os.environ.get("PAPERBOY_TEST_POSTGRES_URL")
    assert admin, "PAPERBOY_TEST_BACKEND=postgres needs PAPERBOY_TEST_POSTGRES_URL (scripts/postgres-test.sh start sets it)"
    name = "paperboy_py_" + uuid.uuid4().hex
    psql(admin, f"CREATE DATABASE {name}")
    return with_database(admin, name)


def query(database, sql, *parameters):
    """Rows of one query on a catalog, a SQLite file or a PostgreSQL URL (through psql), for tests
    that check what was stored. Parameters are strings, quoted here."""
    if "://" not in database:
        import sqlite3
        with sqlite3.connect(database) as db:
            return [tuple(str(v) for v in row) for row in db.execute(sql.replace("%s", "?"), parameters)]
    quoted = sql % tuple("'" + p.replace("'", "''") + "'" for p in parameters)
    out = subprocess.run(["psql", database.replace("?sslmode=disable", ""), "-At", "-F", "\t", "-c", quoted],
                         check=True, capture_output=True, text=True, timeout=60).stdout
    return [tuple(line.split("\t")) for line in out.splitlines() if line]


class RunningPaperboy:
    """A `paperboy serve` process over its own catalog; `url` is its base address.

    With `semantic`, the imports compute the papers' embeddings and the server loads the model
    (hybrid search, similar papers by meaning); without, both are keyword-only, which keeps big
    catalogs quick to set up in a debug build."""

    def __init__(self, *imports, extra_args=(), env=None, semantic=False):
        self.work = tempfile.mkdtemp(prefix="paperboy-pytest-")
        self.env = dict(os.environ, PAPERBOY_DATABASE=fresh_database(self.work), **(env or {}))
        for path in imports:
            subprocess.run([binary(), "import", str(path), *([] if semantic else ["--no-embed"])],
                           env=self.env, check=True, capture_output=True)
        self.log = open(os.path.join(self.work, "serve.log"), "w")
        try:
            self.process, self.url = start_serve(self.env, *([] if semantic else ["--no-semantic"]), *extra_args, log=self.log, wait=20)
        except RuntimeError as error:
            self.log.close()
            raise RuntimeError(f"{error}; see {self.log.name}") from None

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=15)
        self.log.close()
