#!/usr/bin/env python3
"""A real SMTP server (aiosmtpd) for the Mail integration tests.

Listens on 127.0.0.1:PORT (or --bind ADDRESS) and writes every accepted message into OUT_DIR as two files:
  NNNN.eml   the raw message exactly as received (after SMTP dot-unstuffing)
  NNNN.json  the envelope, the session, and what Python's e-mail parser (email.policy.default) reads from it:
             {"mail_from", "mail_options", "rcpt_tos", "peer_port", "login", "mechanism", "tls",
              "parsed": {"subject", "from", "to", "reply_to": [{"name", "address"}], "message_id",
                         "headers": [{"name", "value"}], "defects", "content_type",
                         "parts": [{"content_type", "charset", "cte", "content"}]}}
Prints "ready PORT" on stdout once it accepts connections; runs until SIGTERM/SIGINT or stdin closes.

Options:
  --auth USER:PASSWORD      offer AUTH (PLAIN, LOGIN) and require it before MAIL; wrong credentials get 535
  --auth-mechanisms M,...   offer only these AUTH mechanisms (default PLAIN,LOGIN)
  --size-limit BYTES        announce and enforce SIZE BYTES
  --bind ADDRESS            listen on ADDRESS instead of 127.0.0.1
  --starttls                offer STARTTLS with a self-signed certificate made by the openssl CLI
  --require-starttls        refuse MAIL before STARTTLS (implies --starttls)
  --implicit-tls            TLS from the first byte (smtps) with the same self-signed certificate
  --no-ehlo                 answer EHLO with 502 so the client falls back to HELO
Recipients whose local part starts with "reject" get 550, "tempfail" get 451 (per-recipient failures).
"""
import argparse
import warnings
import email
import email.policy
import json
import logging
import os
import signal
import ssl
import subprocess
import sys
import tempfile
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Sink:
    def __init__(self, directory):
        self.directory = directory
        self.count = 0
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@", 1)[0].lower()
        if local.startswith("reject"):
            return "550 5.1.1 No such user here"
        if local.startswith("tempfail"):
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content
        with self.lock:
            self.count += 1
            name = "%04d" % self.count
        record = {
            "mail_from": envelope.mail_from,
            "mail_options": envelope.mail_options,
            "rcpt_tos": envelope.rcpt_tos,
            "peer_port": session.peer[1] if session.peer else 0,
            "login": session.auth_data[1] if session.auth_data else None,
            "mechanism": session.auth_data[0] if session.auth_data else None,
            "tls": session.ssl is not None or server.transport.get_extra_info("ssl_object") is not None,
            "parsed": parse(raw),
        }
        path = os.path.join(self.directory, name)
        with open(path + ".eml.tmp", "wb") as f:
            f.write(raw)
        os.rename(path + ".eml.tmp", path + ".eml")
        with open(path + ".json.tmp", "w") as f:
            json.dump(record, f, ensure_ascii=False, indent=1)
        os.rename(path + ".json.tmp", path + ".json")
        return "250 2.0.0 Message accepted for delivery as " + name


def parse(raw):
    """What Python's standard e-mail parser reads from the raw message (decoded headers, parts, defects)."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    defects = [type(d).__name__ for d in message.defects]
    headers = []
    for name, value in message.items():
        headers.append({"name": name, "value": str(value)})
        defects += [name + ": " + type(d).__name__ for d in getattr(value, "defects", ())]
    parts = []
    for part in message.walk():
        if part.is_multipart():
            defects += [type(d).__name__ for d in part.defects]
            continue
        parts.append({
            "content_type": part.get_content_type(),
            "charset": part.get_content_charset(),
            "cte": part.get("Content-Transfer-Encoding"),
            "content": part.get_content(),
        })
    def addresses(header):
        return [{"name": a.display_name, "address": a.addr_spec} for a in header.addresses] if header else []

    return {
        "subject": str(message["subject"]) if message["subject"] is not None else None,
        "from": addresses(message["from"]),
        "to": addresses(message["to"]),
        "reply_to": addresses(message["reply-to"]),
        "message_id": str(message["message-id"]) if message["message-id"] else None,
        "headers": headers,
        "defects": defects,
        "content_type": message.get_content_type(),
        "parts": parts,
    }


class NoEHLO(SMTP):
    async def smtp_EHLO(self, hostname):
        await self.push("502 5.5.2 Command not recognized")


def self_signed_context(directory):
    cert = os.path.join(directory, "cert.pem")
    key = os.path.join(directory, "key.pem")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-days", "1",
         "-keyout", key, "-out", cert],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("port", type=int)
    parser.add_argument("directory")
    parser.add_argument("--auth")
    parser.add_argument("--starttls", action="store_true")
    parser.add_argument("--require-starttls", action="store_true")
    parser.add_argument("--implicit-tls", action="store_true")
    parser.add_argument("--no-ehlo", action="store_true")
    parser.add_argument("--auth-mechanisms", default="PLAIN,LOGIN")
    parser.add_argument("--size-limit", type=int)
    parser.add_argument("--bind", default="127.0.0.1")
    args = parser.parse_args()

    kwargs = {"enable_SMTPUTF8": False}
    # The certificate files are only needed while the contexts load them.
    with tempfile.TemporaryDirectory(prefix="smtp-sink-tls-") as tls_dir:
        if args.starttls or args.require_starttls:
            kwargs["tls_context"] = self_signed_context(tls_dir)
            kwargs["require_starttls"] = args.require_starttls
        ssl_context = self_signed_context(tls_dir) if args.implicit_tls else None
    if args.auth:
        user, password = args.auth.split(":", 1)

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = (isinstance(auth_data, LoginPassword)
                  and auth_data.login.decode() == user and auth_data.password.decode() == password)
            if not ok:
                return AuthResult(success=False, handled=False)  # aiosmtpd answers 535
            return AuthResult(success=True, auth_data=(mechanism, auth_data.login.decode()))

        offered = set(args.auth_mechanisms.upper().split(","))
        kwargs.update(authenticator=authenticator, auth_required=True, auth_require_tls=False,
                      auth_exclude_mechanism=[m for m in ("PLAIN", "LOGIN") if m not in offered])
    if args.size_limit:
        kwargs["data_size_limit"] = args.size_limit

    # aiosmtpd warns about AUTH without TLS: intended, the tests run on loopback.
    warnings.simplefilter("ignore")
    logging.getLogger("mail.log").setLevel(logging.ERROR)
    sink = Sink(args.directory)
    if args.no_ehlo:
        class Custom(Controller):
            def factory(self):
                return NoEHLO(self.handler, **self.SMTP_kwargs)
        controller = Custom(sink, hostname=args.bind, port=args.port, ssl_context=ssl_context, **kwargs)
    else:
        controller = Controller(sink, hostname=args.bind, port=args.port, ssl_context=ssl_context, **kwargs)
    controller.start()

    stop = threading.Event()
    # A parent that spawns from a thread with signals blocked passes the mask on: unblock the ones used to stop.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    # Stop too when the parent (the test process) goes away and closes our stdin.
    threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
    print("ready %d" % args.port, flush=True)
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
