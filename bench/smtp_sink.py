#!/usr/bin/env python3
"""An SMTP server for the digest benchmark: aiosmtpd on loopback, accepting every message and
keeping nothing but counts (messages, bytes) and the time of the first and last message, which
it writes to --stats as JSON when it gets SIGTERM. Plain aiosmtpd: no PIPELINING, so
Paperboy's client and the reference client below talk to it alike.

  python3 bench/smtp_sink.py --port 2525 --stats /tmp/sink.json
"""
import argparse, json, signal, time

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self):
        self.messages = 0
        self.bytes = 0
        self.first = None
        self.last = None

    async def handle_DATA(self, server, session, envelope):
        now = time.monotonic()
        if self.first is None:
            self.first = now
        self.last = now
        self.messages += 1
        self.bytes += len(envelope.content)
        return "250 2.0.0 accepted"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--stats", required=True)
    args = parser.parse_args()
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=args.port, data_size_limit=0)
    controller.start()

    def stop(*_):
        span = (sink.last - sink.first) if sink.first is not None and sink.last is not None else 0
        with open(args.stats, "w") as f:
            json.dump({"messages": sink.messages, "bytes": sink.bytes, "span_s": span}, f)
        controller.stop()
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
