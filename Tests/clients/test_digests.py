"""Email digests end to end, against a real SMTP server (aiosmtpd, in this process) and the real
`paperboy` binary: what a subscriber receives, one-click unsubscribe through a running `serve`,
and exactly-once delivery when the sender is killed with SIGKILL mid-run or two senders run at
once. The tests parse what the server received with Python's `email` package."""
import email, email.policy, json, os, re, signal, subprocess, sys, tempfile, threading, time, urllib.parse, urllib.request
import http.cookiejar
from collections import Counter
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from paperboy_process import DEMO, binary, free_port, fresh_database, query, start_serve  # noqa: E402

DAY = "daily:2026-08-21"          # the demo set's last featured day
FROM = "Paperboy <digest@papers.example.org>"


class Inbox:
    """An aiosmtpd handler that keeps every message it accepts, optionally slowly."""

    def __init__(self, delay=0.0, refuse=()):
        self.lock = threading.Lock()
        self.messages = []      # (recipients, parsed message)
        self.delay = delay
        self.refuse = set(refuse)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            import asyncio
            await asyncio.sleep(self.delay)
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), parsed))
        return "250 2.0.0 queued"

    def recipients(self):
        with self.lock:
            return Counter(r for rcpts, _ in self.messages for r in rcpts)

    def count(self):
        with self.lock:
            return len(self.messages)

    def to(self, address):
        with self.lock:
            return [m for rcpts, m in self.messages if address in rcpts]


@pytest.fixture
def smtp():
    started = []

    def start(**kwargs):
        inbox = Inbox(**kwargs)
        controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
        controller.start()
        started.append(controller)
        return inbox, controller.port

    yield start
    for controller in started:
        controller.stop()


@pytest.fixture
def catalog():
    """A catalog of the demo papers, in its own folder (or database, on PostgreSQL)."""
    work = tempfile.mkdtemp(prefix="paperboy-digest-")
    env = dict(os.environ, PAPERBOY_DATABASE=fresh_database(work))
    subprocess.run([binary(), "import", str(DEMO), "--no-embed"], env=env, check=True, capture_output=True)
    return env


def paperboy(env, *args, check=True):
    result = subprocess.run([binary(), *args], env=env, capture_output=True, text=True, timeout=300)
    if check and result.returncode != 0:
        raise AssertionError(f"paperboy {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


def subscribe(env, addresses, *options):
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write("\n".join(addresses))
    paperboy(env, "digest", "subscribe", "--file", f.name, "--confirmed", *options)


def start_site(env, *args):
    """`paperboy serve` over the test's catalog on a free port; answers the process and its URL
    once it answers /healthz."""
    return start_serve(env, "--no-semantic", *args)


def send_args(port, *extra):
    return ["digest", "send", "--smtp-host", "127.0.0.1", "--smtp-port", str(port), "--smtp-tls", "never",
            "--mail-from", FROM, *extra]


def test_each_subscriber_gets_one_well_formed_digest(smtp, catalog):
    inbox, port = smtp()
    subscribe(catalog, ["ann@example.org", "bob@example.org"])
    subscribe(catalog, ["agents@example.org"], "--topics", "agent")
    subscribe(catalog, ["nothing@example.org"], "--topics", "zzzunmatchedword")
    result = paperboy(catalog, *send_args(port, "--period", DAY, "--public-url", "https://papers.example.org"))
    assert "3 delivered" in result.stdout and "1 skipped" in result.stdout, result.stdout
    assert inbox.recipients() == Counter({"ann@example.org": 1, "bob@example.org": 1, "agents@example.org": 1})

    message = inbox.to("ann@example.org")[0]
    assert message["From"].addresses[0].addr_spec == "digest@papers.example.org"
    assert "Friday, 21 August 2026" in message["Subject"]
    assert message.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in message.iter_parts()] == ["text/plain", "text/html"]
    # RFC 8058 one-click unsubscribe, pointing at this subscriber's signed link.
    unsubscribe = message["List-Unsubscribe"]
    assert re.fullmatch(r"<https://papers\.example\.org/digest/unsubscribe/u\d+-\d+\.[A-Za-z0-9_-]+>", unsubscribe), unsubscribe
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "https://papers.example.org/papers/" in text and "/digest/preferences/" in text
    assert "/digest/unsubscribe/" in html
    # The topic filter: the digest holds exactly the day's papers that mention agents, best first.
    day = json.loads(paperboy(catalog, "papers", "list", "--date", "2026-08-21", "--limit", "500", "--json").stdout)
    expected = [p["id"] for p in day if re.search(r"\bagent", (p["title"] + " " + p["abstract"]).lower())]
    agents = inbox.to("agents@example.org")[0].get_body(("plain",)).get_content()
    listed = re.findall(r"https://arxiv\.org/abs/(\d{4}\.\d{4,5})", agents)
    assert 0 < len(listed) < len(day)
    assert sorted(listed) == sorted(expected[:10])
    everything = re.findall(r"https://arxiv\.org/abs/(\d{4}\.\d{4,5})", text)
    assert len(everything) == 10

    # Running the period again sends nothing: the ledger has every digest.
    again = paperboy(catalog, *send_args(port, "--period", DAY))
    assert "0 delivered" in again.stdout
    assert inbox.count() == 3
    status = paperboy(catalog, "digest", "status", "--period", DAY).stdout
    assert "3 delivered" in status and "1 skipped" in status


def test_one_click_unsubscribe_through_a_running_site(smtp, catalog):
    inbox, port = smtp()
    subscribe(catalog, ["leaver@example.org", "stayer@example.org"])
    # The site needs no mail relay to honour the links of the emails.
    site, base = start_site(catalog)
    try:
        paperboy(catalog, *send_args(port, "--period", DAY, "--public-url", base))
        target = inbox.to("leaver@example.org")[0]["List-Unsubscribe"].strip("<>")
        # What a mail program does for RFC 8058: POST the fixed body, no cookies.
        request = urllib.request.Request(target, data=b"List-Unsubscribe=One-Click", method="POST",
                                         headers={"Content-Type": "application/x-www-form-urlencoded"})
        with urllib.request.urlopen(request, timeout=10) as answer:
            assert answer.status == 200
            assert "Unsubscribed" in answer.read().decode()
        paperboy(catalog, *send_args(port, "--period", "daily:2026-08-20", "--public-url", base))
        assert inbox.recipients() == Counter({"leaver@example.org": 1, "stayer@example.org": 2})
    finally:
        site.terminate()
        site.wait(timeout=15)


def test_a_sender_killed_mid_run_then_restarted_delivers_every_digest_once(smtp, catalog):
    inbox, port = smtp(delay=0.01)
    addresses = [f"reader{i}@example.org" for i in range(300)]
    subscribe(catalog, addresses)
    args = send_args(port, "--period", DAY, "--lease-seconds", "2")
    first = subprocess.Popen([binary(), *args], env=catalog, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.time() + 120
    while inbox.count() < 100 and time.time() < deadline and first.poll() is None:
        time.sleep(0.005)
    assert first.poll() is None, "the sender finished before it could be killed"
    first.send_signal(signal.SIGKILL)
    first.wait()
    killed_at = inbox.count()
    assert 0 < killed_at < 300
    # Claims of the killed sender run out after the lease; then a new run finishes the job.
    time.sleep(2.5)
    paperboy(catalog, *args)
    received = inbox.recipients()
    assert max(received.values()) == 1, f"sent twice: {[a for a, n in received.items() if n > 1]}"
    # A digest the killed sender had committed (the ledger's commit point, just before the final
    # ".") but whose 250 it never recorded stays 'committed' and is never sent again: the server
    # most likely has it, but if the kill landed between the commit and the server's 250, the
    # server may have dropped it. Those are the only ones the restart may leave out; every
    # digest still remaining in the ledger is delivered.
    in_doubt = {email for (email,) in query(
        catalog["PAPERBOY_DATABASE"],
        "SELECT s.email FROM digest_deliveries d JOIN subscriptions s ON s.id = d.subscription_id"
        " WHERE d.period = %s AND d.state = 'committed'", DAY)}
    missing = set(addresses) - set(received)
    assert missing <= in_doubt, f"missing and not in doubt: {missing - in_doubt}"
    status = paperboy(catalog, "digest", "status", "--period", DAY).stdout
    delivered = int(re.search(r"(\d+) delivered", status).group(1))
    committed = int(re.search(r"(\d+) committed", status).group(1))
    # At most a batch of eight per connection (8 by default): outcomes are recorded eight at a time.
    assert delivered + committed == 300 and committed <= 8 * 8, status


def test_two_senders_started_together_never_send_the_same_digest(smtp, catalog):
    inbox, port = smtp(delay=0.002)
    addresses = [f"twin{i}@example.org" for i in range(300)]
    subscribe(catalog, addresses)
    args = [binary(), *send_args(port, "--period", DAY)]
    senders = [subprocess.Popen(args, env=catalog, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [sender.communicate(timeout=300)[0] for sender in senders]
    assert all(sender.returncode == 0 for sender in senders), outputs
    received = inbox.recipients()
    assert set(received) == set(addresses)
    assert max(received.values()) == 1
    delivered = [int(re.search(r"(\d+) delivered", out).group(1)) for out in outputs]
    assert sum(delivered) == 300, outputs


def test_refusals_are_recorded_and_an_address_that_keeps_bouncing_is_suspended(smtp, catalog):
    inbox, port = smtp(refuse={"gone@example.org"})
    subscribe(catalog, ["gone@example.org", "fine@example.org"])
    for day in ("2026-08-19", "2026-08-20", "2026-08-21"):
        result = paperboy(catalog, *send_args(port, "--period", f"daily:{day}"))
        assert "1 delivered" in result.stdout and "1 failed" in result.stdout, result.stdout
    status = paperboy(catalog, "digest", "status").stdout
    assert "1 suspended" in status, status
    result = paperboy(catalog, *send_args(port, "--period", "daily:2026-08-18"))
    assert "1 delivered" in result.stdout and "0 failed" in result.stdout
    assert inbox.recipients() == Counter({"fine@example.org": 4})


def test_subscribing_on_the_site_sends_a_confirmation_through_smtp(smtp, catalog):
    inbox, port = smtp()
    site, base = start_site(catalog, "--smtp-host", "127.0.0.1", "--smtp-port", str(port), "--smtp-tls", "never", "--mail-from", FROM)
    try:
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        page = opener.open(base + "/subscribe?email=new%40example.org", timeout=10).read().decode()
        token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page).group(1)
        body = urllib.parse.urlencode({"csrf_token": token, "email": "new@example.org", "frequency": "weekly", "topics": "cs.CL"})
        answer = opener.open(base + "/subscribe", data=body.encode(), timeout=30).read().decode()
        assert "Check your inbox" in answer
        assert inbox.recipients() == Counter({"new@example.org": 1})
        confirmation = inbox.to("new@example.org")[0]
        link = re.search(r"(http://127\.0\.0\.1:\d+/digest/confirm/\S+)", confirmation.get_body(("plain",)).get_content()).group(1)
        confirmed = opener.open(link, timeout=10).read().decode()
        assert "You are subscribed" in confirmed
        status = paperboy(catalog, "digest", "status").stdout
        assert "1 active" in status
    finally:
        site.terminate()
        site.wait(timeout=15)


def test_serve_sends_the_digests_due_on_its_schedule(smtp, catalog):
    """`serve` with a relay sends what its schedule says is due: on Monday 2026-08-24 after
    08:00, Friday's daily digest and the weekly digest of the week before, once each."""
    inbox, port = smtp()
    subscribe(catalog, ["daily@example.org"])
    subscribe(catalog, ["weekly@example.org"], "--frequency", "weekly")
    site, base = start_site(catalog, "--smtp-host", "127.0.0.1", "--smtp-port", str(port), "--smtp-tls", "never",
                            "--mail-from", FROM, "--clock", "2026-08-24T09:30:00Z", "--digest-time", "08:00",
                            "--digest-time-zone", "UTC")
    try:
        deadline = time.time() + 60
        while inbox.count() < 2 and time.time() < deadline:
            time.sleep(0.1)
        time.sleep(1)  # nothing more should come
    finally:
        site.terminate()
        site.wait(timeout=15)
    assert inbox.recipients() == Counter({"daily@example.org": 1, "weekly@example.org": 1})
    assert "Friday, 21 August 2026" in inbox.to("daily@example.org")[0]["Subject"]
    assert "the week of 17 August 2026" in inbox.to("weekly@example.org")[0]["Subject"]
    status = paperboy(catalog, "digest", "status", "--period", "daily:2026-08-21", "--period", "weekly:2026-W34").stdout
    assert "daily:2026-08-21: 0 queued, 0 sending, 0 committed, 1 delivered" in status, status
    assert "weekly:2026-W34: 0 queued, 0 sending, 0 committed, 1 delivered" in status, status
