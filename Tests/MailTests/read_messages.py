#!/usr/bin/env python3
"""Reads the .eml files smtp_server.py wrote and prints what Python's own `email` package makes
of them, as JSON in the file named second: an independent MIME parser, so the Swift tests check that the
messages decode elsewhere, not only that our writer agrees with itself.

Texts are given with line breaks as "\n" (MIME text is CRLF on the wire).
"""
import email
import email.policy
import json
import os
import sys


def lf(text):
    return text.replace("\r\n", "\n")


def describe(path):
    raw = open(path, "rb").read()
    meta_path = path[: -len(".eml")] + ".json"
    meta = json.load(open(meta_path)) if os.path.exists(meta_path) else {}
    message = email.message_from_bytes(raw, policy=email.policy.default)
    lines = raw.split(b"\r\n")
    parts = []
    leaves = list(message.iter_parts()) if message.is_multipart() else [message]
    for part in leaves:
        parts.append({
            "content_type": part.get_content_type(),
            "charset": part.get_content_charset(),
            "transfer_encoding": part.get("Content-Transfer-Encoding"),
            "text": lf(part.get_content()),
            "defects": [type(d).__name__ for d in part.defects],
        })
    header_end = raw.find(b"\r\n\r\n")
    return {
        "file": os.path.basename(path),
        "envelope": meta,
        "content_type": message.get_content_type(),
        "headers": {name: str(value) for name, value in message.items()},
        "raw_header_block": raw[:header_end].decode("ascii", "replace"),
        "parts": parts,
        "defects": [type(d).__name__ for d in message.defects],
        "longest_line": max(len(line) for line in lines),
        "bare_line_feeds": raw.replace(b"\r\n", b"").count(b"\n"),
        "bare_carriage_returns": raw.replace(b"\r\n", b"").count(b"\r"),
        "is_7bit": all(byte < 128 for byte in raw),
    }


def main():
    # Writes to a file rather than stdout: see smtp_server.py on pipes shared between tests.
    folder, result = sys.argv[1], sys.argv[2]
    names = sorted(name for name in os.listdir(folder) if name.endswith(".eml"))
    with open(result, "w") as f:
        json.dump([describe(os.path.join(folder, name)) for name in names], f)


if __name__ == "__main__":
    main()
