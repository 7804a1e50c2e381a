#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A small Docker registry token service for the tests (the "token" auth flow).

GET /token?service=S&scope=repository:NAME:pull,push[&scope=...] with optional Basic auth, and
POST /token (OAuth2 form: grant_type=password or refresh_token) as docker login uses it.

Rights: anonymous callers get pull on repositories under public/ only; the test user gets every
action it asks for, including registry:catalog:*. A wrong password is a 401.

To let tests check that the registry really verifies tokens, two extra users take the same
password and get the same rights, but a token the registry must reject:
  expired  -> exp an hour in the past (beyond distribution's 60 s leeway)
  forged   -> signed with --forge-key while the header still names the trusted key's kid
The query parameter hatake_mode=expired|forged does the same for any caller.

Tokens are RS256 JWTs. distribution 2.8 (registry/auth/token/token.go) finds the signing key by
x5c, jwk or kid, where kid is a libtrust key ID of a key from the rootcertbundle; we send kid.
"""

import argparse
import base64
import hashlib
import json
import secrets
import sys
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

ACTIONS_ALL = ("pull", "push", "delete", "*")


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def libtrust_key_id(public_key):
    """libtrust's KeyID: SHA-256 of the DER SubjectPublicKeyInfo, first 240 bits, base32,
    in 12 groups of 4 joined by ':' (github.com/docker/libtrust util.go keyIDFromCryptoKey)."""
    der = public_key.public_bytes(serialization.Encoding.DER,
                                  serialization.PublicFormat.SubjectPublicKeyInfo)
    b32 = base64.b32encode(hashlib.sha256(der).digest()[:30]).decode()
    return ":".join(b32[i:i + 4] for i in range(0, len(b32), 4))


def load_key(path):
    with open(path, "rb") as f:
        return serialization.load_pem_private_key(f.read(), password=None)


class Config:
    pass


CFG = Config()
REFRESH = {}  # refresh token -> user name (in memory, for the life of the service)


def parse_scope(scope):
    """'repository:NAME:pull,push' -> (type, name, [actions]); NAME may itself hold ':'."""
    typ, _, rest = scope.partition(":")
    name, _, actions = rest.rpartition(":")
    if not typ or not name:
        return None
    return typ, name, [a for a in actions.split(",") if a]


def grant(user, scopes):
    access = []
    for scope in scopes:
        parsed = parse_scope(scope)
        if not parsed:
            continue
        typ, name, wanted = parsed
        if user:
            allowed = [a for a in wanted if a in ACTIONS_ALL]
        elif typ == "repository" and name.startswith("public/"):
            allowed = [a for a in wanted if a == "pull"]
        else:
            allowed = []
        if allowed:
            access.append({"type": typ, "name": name, "actions": allowed})
    return access


def make_token(user, access, mode):
    now = int(time.time())
    iat = now - 7200 if mode == "expired" else now
    exp = now - 3600 if mode == "expired" else now + CFG.expires_in
    header = {"typ": "JWT", "alg": "RS256", "kid": CFG.kid}
    claims = {"iss": CFG.issuer, "sub": user or "", "aud": CFG.service, "exp": exp,
              "nbf": iat - 1, "iat": iat, "jti": secrets.token_hex(16), "access": access}
    signing_input = (b64url(json.dumps(header, separators=(",", ":")).encode()) + "." +
                     b64url(json.dumps(claims, separators=(",", ":")).encode()))
    key = CFG.forge_key if mode == "forged" else CFG.key
    sig = key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return signing_input + "." + b64url(sig)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "hatake-token-server/1"

    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (time.strftime("%Y-%m-%dT%H:%M:%S"), fmt % args))
        sys.stderr.flush()

    def reply(self, status, body, extra_headers=()):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in extra_headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def deny(self, status, code, message):
        hdrs = [("WWW-Authenticate", 'Basic realm="hatake-token"')] if status == 401 else []
        self.reply(status, {"errors": [{"code": code, "message": message}]}, hdrs)

    def check_user(self, name, password):
        """Returns (user, mode) or None when the credentials are wrong."""
        if password != CFG.password:
            return None
        if name == CFG.user:
            return name, None
        if name in ("expired", "forged"):
            return name, name
        return None

    def basic_user(self):
        auth = self.headers.get("Authorization", "")
        if not auth.lower().startswith("basic "):
            return ("", None)
        try:
            name, _, password = base64.b64decode(auth[6:]).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return None
        return self.check_user(name, password)

    def issue(self, user, mode, service, scopes, offline):
        if service and service != CFG.service:
            self.deny(400, "INVALID_SERVICE", "unknown service %r" % service)
            return
        token = make_token(user, grant(user, scopes), mode)
        body = {"token": token, "access_token": token, "expires_in": CFG.expires_in,
                "issued_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        if offline and user:
            refresh = secrets.token_urlsafe(24)
            REFRESH[refresh] = (user, mode)
            body["refresh_token"] = refresh
        self.reply(200, body)

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path in ("/", "/healthz"):
            self.reply(200, {"ok": True})
            return
        if url.path != "/token":
            self.deny(404, "NOT_FOUND", "no such endpoint")
            return
        q = urllib.parse.parse_qs(url.query)
        who = self.basic_user()
        if who is None:
            self.deny(401, "UNAUTHORIZED", "wrong user name or password")
            return
        user, mode = who
        mode = q.get("hatake_mode", [mode])[0]
        scopes = [s for v in q.get("scope", []) for s in v.split(" ") if s]
        self.issue(user, mode, q.get("service", [""])[0], scopes,
                   q.get("offline_token", ["false"])[0] == "true")

    def do_POST(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path != "/token":
            self.deny(404, "NOT_FOUND", "no such endpoint")
            return
        length = int(self.headers.get("Content-Length") or 0)
        form = urllib.parse.parse_qs(self.rfile.read(length).decode())
        get = lambda k: form.get(k, [""])[0]  # noqa: E731
        if get("grant_type") == "password":
            who = self.check_user(get("username"), get("password"))
        elif get("grant_type") == "refresh_token":
            who = REFRESH.get(get("refresh_token"))
        else:
            self.deny(400, "UNSUPPORTED_GRANT_TYPE", "grant_type must be password or "
                      "refresh_token")
            return
        if who is None:
            self.deny(401, "UNAUTHORIZED", "wrong credentials")
            return
        user, mode = who
        self.issue(user, mode, get("service"), get("scope").split(),
                   get("access_type") == "offline")


def main():
    ap = argparse.ArgumentParser(description="Docker registry token service for tests")
    ap.add_argument("--listen", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--key", required=True, help="PEM RSA private key that signs tokens")
    ap.add_argument("--cert", required=True, help="its certificate (the registry's rootcertbundle)")
    ap.add_argument("--forge-key", required=True, help="another RSA key for forged tokens")
    ap.add_argument("--issuer", default="hatake-token-issuer")
    ap.add_argument("--service", default="hatake-registry")
    ap.add_argument("--user", default="hatake")
    ap.add_argument("--password", default="hatake-secret")
    ap.add_argument("--expires-in", type=int, default=300)
    args = ap.parse_args()

    CFG.key, CFG.forge_key = load_key(args.key), load_key(args.forge_key)
    with open(args.cert, "rb") as f:
        cert = x509.load_pem_x509_certificate(f.read())
    CFG.kid = libtrust_key_id(cert.public_key())
    CFG.issuer, CFG.service, CFG.expires_in = args.issuer, args.service, args.expires_in
    CFG.user, CFG.password = args.user, args.password
    server = ThreadingHTTPServer((args.listen, args.port), Handler)
    server.daemon_threads = True
    sys.stderr.write("token-server: listening on %s:%d, kid %s\n" % (args.listen, args.port,
                                                                     CFG.kid))
    sys.stderr.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
