#!/usr/bin/env python3
"""A real SMTP server for examd's mail tests and benchmark (aiosmtpd, from PyPI; see scripts/smtp-venv.sh).

    smtp_sink.py DIR [PORT]     prints "PORT <n>" once listening (PORT 0 or absent: any free port)

Every accepted mail is written to DIR as NNNNNN.json, decoded: to, subject, message_id, text, html.
Recipients choose the server's answer, so a test can script it:
  tempfail…@…  the first mail to that address is answered 451, later ones 250
  reject…@…    550 (permanent)
"""
import asyncio
import json
import os
import sys
from email import message_from_bytes, policy

from aiosmtpd.smtp import SMTP


class Sink:
    def __init__(self, directory):
        self.directory = directory
        self.deferred = set()
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        for rcpt in envelope.rcpt_tos:
            local = rcpt.split("@")[0]
            if local.startswith("reject"):
                return "550 5.1.1 mailbox unavailable: no such user here"
            if local.startswith("tempfail") and rcpt not in self.deferred:
                self.deferred.add(rcpt)
                return "451 4.3.0 mailbox busy, try again later"
        msg = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        text = msg.get_body(preferencelist=("plain",))
        html = msg.get_body(preferencelist=("html",))
        self.count += 1
        record = {
            "to": envelope.rcpt_tos,
            "subject": str(msg["subject"]),
            "message_id": str(msg["message-id"]),
            "text": text.get_content() if text else "",
            "html": html.get_content() if html else "",
        }
        path = os.path.join(self.directory, "%06d.json" % self.count)
        with open(path + ".tmp", "w", encoding="utf-8") as f:
            json.dump(record, f, ensure_ascii=False)
        os.rename(path + ".tmp", path)
        return "250 2.0.0 OK"


async def main():
    directory = sys.argv[1]
    port = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    os.makedirs(directory, exist_ok=True)
    sink = Sink(directory)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(sink, enable_SMTPUTF8=True), "127.0.0.1", port)
    print("PORT", server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
