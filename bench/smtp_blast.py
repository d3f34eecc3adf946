#!/usr/bin/env python3
"""The SMTP server's own intake rate, for the digest benchmark: PROCESSES client processes, each
with one connection, send COUNT pre-built messages of SIZE bytes in total as fast as the server
takes them (smtplib; nothing is rendered). Prints messages/s over the whole run.

  python3 bench/smtp_blast.py --port 2525 --count 10000 --size 24000 --processes 2
"""
import argparse, multiprocessing, smtplib, time
from email.message import EmailMessage


def message(size):
    m = EmailMessage()
    m["From"] = "bench@example.org"
    m["To"] = "reader@example.org"
    m["Subject"] = "Trending papers: benchmark"
    line = "A line of a digest about a paper, its authors and its abstract, long enough.\n"
    m.set_content(line * max(1, size // len(line)))
    # SMTP lines end in CRLF; smtplib sends bytes as they are.
    return m.as_bytes(policy=m.policy.clone(linesep="\r\n"))


def worker(port, count, size):
    body = message(size)
    with smtplib.SMTP("127.0.0.1", port) as client:
        client.ehlo("bench")
        for i in range(count):
            client.sendmail("bench@example.org", [f"reader{i}@example.org"], body)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--count", type=int, default=10000)
    parser.add_argument("--size", type=int, default=24000)
    parser.add_argument("--processes", type=int, default=2)
    args = parser.parse_args()
    share = args.count // args.processes
    start = time.monotonic()
    procs = [multiprocessing.Process(target=worker, args=(args.port, share, args.size)) for _ in range(args.processes)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    elapsed = time.monotonic() - start
    print(f"{share * args.processes} messages in {elapsed:.2f} s: {share * args.processes / elapsed:.1f} messages/s")


if __name__ == "__main__":
    main()
