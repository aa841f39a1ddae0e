#!/usr/bin/python3
"""A loopback SMTP server for the email transport's tests (tests/api/email.rs).

Built on aiosmtpd (Debian: python3-aiosmtpd; `scripts/setup.sh test`
installs it). It offers STARTTLS with the given certificate and key, and
requires it: before STARTTLS only EHLO, STARTTLS, NOOP and QUIT are
answered. It then requires AUTH (PLAIN or LOGIN) with the given user name and
password before MAIL.

It listens on 127.0.0.1 (port 0: a free one), prints the port on standard
output once it accepts connections, and stops when its standard input is
closed (the test that started it has ended, however it ended).

Each message received is written to the directory as `<n>.eml` (the bytes
as received), then `<n>.json` (written last, so its presence means both are
complete): the envelope (`mail_from`, `rcpt_tos`), whether the session was
encrypted (`tls`), the user it signed in as (`auth_user`), and the message as
Python's email package reads it (`headers`, the top `content_type`, and each
leaf part's `content_type`, `charset` and decoded `text`): an independent
reading of what lettre wrote.

By the recipient's local part: `refuse-...` is refused for good (550);
`later-...` is deferred (451) the first `--later-failures` times that address
is tried, then accepted; anything else is accepted.
"""

import argparse
import asyncio
import email
import email.policy
import json
import logging
import os
import ssl
import sys
import threading

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword, TLSSetupException


class Peer:
    def __init__(self, directory, later_failures):
        self.directory = directory
        self.later_failures = later_failures
        self.deferred = {}
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local_part = address.split("@", 1)[0].lower()
        # The replies repeat the address, as real servers do: the client must not.
        if local_part.startswith("refuse-"):
            return f"550 5.1.1 <{address}>: Recipient address rejected: mailbox unavailable"
        if local_part.startswith("later-"):
            tries = self.deferred.get(address, 0)
            if tries < self.later_failures:
                self.deferred[address] = tries + 1
                return f"451 4.3.0 <{address}>: Recipient address deferred: try again later"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        number = self.count
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8")
        write_atomically(os.path.join(self.directory, f"{number}.eml"), raw)

        message = email.message_from_bytes(raw, policy=email.policy.default)
        parts = []
        for part in message.walk():
            if part.is_multipart():
                continue
            parts.append({
                "content_type": part.get_content_type(),
                "charset": part.get_content_charset(),
                "text": part.get_content(),
            })
        auth = session.auth_data
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "tls": session.ssl is not None,
            "auth_user": auth.login.decode("utf-8") if isinstance(auth, LoginPassword) else None,
            "headers": {name: str(value) for name, value in message.items()},
            "content_type": message.get_content_type(),
            "parts": parts,
        }
        write_atomically(
            os.path.join(self.directory, f"{number}.json"),
            json.dumps(record, indent=1).encode("utf-8"),
        )
        return f"250 2.0.0 OK: queued as {number}"


class ShortTlsFailures(logging.Filter):
    """A client that breaks off the TLS handshake (one that does not trust
    the certificate, as a test expects) gets one line, not a traceback."""

    def filter(self, record):
        if record.exc_info and isinstance(record.exc_info[1], TLSSetupException):
            record.msg, record.args = "smtp_peer: a client broke off the TLS handshake", ()
            record.exc_info = record.exc_text = None
        return True


def write_atomically(path, data):
    partial = path + ".partial"
    with open(partial, "wb") as file:
        file.write(data)
    os.replace(partial, path)


def authenticator(username, password):
    def check(server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == username.encode("utf-8")
            and auth_data.password == password.encode("utf-8")
        )
        # Refused: aiosmtpd answers 535 5.7.8.
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

    return check


async def serve(args):
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(args.cert, args.key)
    peer = Peer(args.dir, args.later_failures)
    check = authenticator(args.username, args.password)
    loop = asyncio.get_running_loop()

    def session():
        return SMTP(
            peer,
            hostname="localhost",
            tls_context=tls,
            require_starttls=True,
            auth_required=True,
            auth_require_tls=True,
            authenticator=check,
            loop=loop,
        )

    server = await loop.create_server(session, host="127.0.0.1", port=args.port)
    print(server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cert", required=True, help="PEM certificate for STARTTLS")
    parser.add_argument("--key", required=True, help="PEM private key of the certificate")
    parser.add_argument("--username", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--dir", required=True, help="where received messages are written")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--later-failures", type=int, default=1)
    args = parser.parse_args()
    # aiosmtpd warns on every sign-in about an attribute it sets itself.
    log = logging.getLogger("mail.log")
    log.setLevel(logging.ERROR)
    log.addFilter(ShortTlsFailures())

    def stop_when_stdin_closes():
        sys.stdin.buffer.read()
        os._exit(0)

    threading.Thread(target=stop_when_stdin_closes, daemon=True).start()
    asyncio.run(serve(args))


if __name__ == "__main__":
    main()
