#!/usr/bin/env python3
"""A real SMTP server (aiosmtpd) for the Mail tests, on a free loopback port.

Writes its port to the --ready-file once it listens (a file, not stdout: a pipe's end can be
inherited by processes that other tests start at the same moment, and then never closes), and
exits when its parent goes away, so a test run that dies leaves no server behind. Every accepted message is written to OUT/NNNN.eml (the
bytes as received, after SMTP's dot-unstuffing) with OUT/NNNN.json beside it (envelope, TLS,
AUTH). OUT/events.jsonl records each connection and each chunk of bytes as it arrived, which
shows whether the client pipelined its commands (several commands in one chunk).

Behaviours for the tests: --pipelining (announce PIPELINING, which aiosmtpd does not by
default), --tls-cert/--tls-key (offer and require STARTTLS), --auth USER:PASSWORD (require AUTH
PLAIN or LOGIN), --tempfail N (451 for the first N messages), --reject ADDRESS (550 for that
recipient), --drop N (close the connection on the first N messages instead of answering),
--stall-data (never answer the end of data), --no-ehlo (answer EHLO with 502, as pre-ESMTP
servers do).
"""
import argparse
import asyncio
import json
import logging
import os
import signal
import ssl
import warnings

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

# aiosmtpd warns about AUTH without TLS (the plain AUTH test means it) and logs a traceback for
# each failed TLS handshake (the certificate tests cause them): noise in the test output.
warnings.filterwarnings("ignore")
logging.getLogger("mail.log").setLevel(logging.CRITICAL)


class Recorder:
    def __init__(self, out):
        self.out = out
        self.events = open(os.path.join(out, "events.jsonl"), "a", buffering=1)
        self.connections = 0
        self.messages = 0

    def event(self, **fields):
        self.events.write(json.dumps(fields) + "\n")


class RecordingSMTP(SMTP):
    def __init__(self, handler, recorder, **kwargs):
        super().__init__(handler, **kwargs)
        self.recorder = recorder
        self.connection_number = None

    def connection_made(self, transport):
        # Called again with the TLS transport after STARTTLS: count the TCP connection once.
        if self.connection_number is None:
            self.recorder.connections += 1
            self.connection_number = self.recorder.connections
            self.recorder.event(event="connect", connection=self.connection_number)
        super().connection_made(transport)

    def data_received(self, data):
        # After STARTTLS this sees the decrypted bytes.
        self.recorder.event(event="chunk", connection=self.connection_number,
                            tls=self._tls_protocol is not None, data=data.decode("latin-1"))
        super().data_received(data)


class Handler:
    def __init__(self, args, recorder):
        self.args = args
        self.recorder = recorder
        self.data_count = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        if self.args.no_ehlo:
            return ["502 5.5.1 EHLO not implemented"]
        session.host_name = hostname
        if self.args.pipelining:
            responses.insert(len(responses) - 1, "250-PIPELINING")
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.args.reject:
            return f"550 5.1.1 <{address}>: Recipient address rejected: no such user"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        self.data_count += 1
        attempt = self.data_count
        if attempt <= self.args.drop:
            self.recorder.event(event="drop", attempt=attempt)
            server.transport.abort()
            return "421 4.4.2 connection dropped"
        if self.args.stall_data:
            await asyncio.sleep(3600)
        if attempt <= self.args.drop + self.args.tempfail:
            self.recorder.event(event="tempfail", attempt=attempt)
            return "451 4.3.0 Temporary failure, try again later"
        self.recorder.messages += 1
        number = self.recorder.messages
        base = os.path.join(self.args.out, f"{number:04d}")
        with open(base + ".json", "w") as f:
            json.dump({
                "mail_from": envelope.mail_from,
                "mail_options": envelope.mail_options,
                "rcpt_tos": envelope.rcpt_tos,
                "tls": server._tls_protocol is not None,
                "authenticated": bool(session.authenticated),
                "connection": server.connection_number,
            }, f)
        # Written last: a test that sees the .eml also sees its .json.
        with open(base + ".eml.part", "wb") as f:
            f.write(envelope.original_content)
        os.rename(base + ".eml.part", base + ".eml")
        return f"250 2.0.0 OK queued as {number}"


def main():
    # A child inherits its parent's blocked signals, and the Swift test runner starts us from
    # threads that block SIGTERM: unblock it, or the test's terminate() would never end us.
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--ready-file", required=True)
    parser.add_argument("--pipelining", action="store_true")
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    parser.add_argument("--auth")
    parser.add_argument("--tempfail", type=int, default=0)
    parser.add_argument("--drop", type=int, default=0)
    parser.add_argument("--reject", action="append", default=[])
    parser.add_argument("--stall-data", action="store_true")
    parser.add_argument("--no-ehlo", action="store_true")
    args = parser.parse_args()
    args.reject = [a.lower() for a in args.reject]

    tls_context = None
    if args.tls_cert:
        tls_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls_context.load_cert_chain(args.tls_cert, args.tls_key)

    authenticator = None
    if args.auth:
        user, password = args.auth.split(":", 1)

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = (isinstance(auth_data, LoginPassword)
                  and auth_data.login == user.encode() and auth_data.password == password.encode())
            return AuthResult(success=ok, handled=False)

    recorder = Recorder(args.out)
    handler = Handler(args, recorder)

    async def serve():
        loop = asyncio.get_running_loop()

        def factory():
            return RecordingSMTP(
                handler, recorder,
                hostname="smtp.test.invalid",
                tls_context=tls_context,
                require_starttls=tls_context is not None,
                auth_required=authenticator is not None,
                auth_require_tls=False,
                authenticator=authenticator,
                loop=loop,
            )

        server = await loop.create_server(factory, host="127.0.0.1", port=0)
        port = server.sockets[0].getsockname()[1]
        with open(args.ready_file + ".part", "w") as f:
            f.write(str(port))
        os.rename(args.ready_file + ".part", args.ready_file)
        # The test ends us with SIGTERM; this is for a test process that died first.
        parent = os.getppid()
        while os.getppid() == parent:
            await asyncio.sleep(0.5)
        os._exit(0)

    asyncio.run(serve())


if __name__ == "__main__":
    main()
