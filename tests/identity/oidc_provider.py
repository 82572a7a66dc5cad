"""A small, real OpenID Connect provider on a loopback port, for the tests (HTTP, RSA-signed ID tokens).

It serves discovery, its JWKS, the authorization endpoint (authorization code flow, PKCE S256 required)
and the token endpoint (client secret by Basic or POST, codes single use, the verifier checked). A test
chooses who signs in (``identity``) and may make the next ID token wrong in one way (``tamper``):
another audience, expired, another nonce, signed by a key the provider does not publish, e-mail not
verified. ``interactive`` shows a sign-in page (for the browser test) instead of answering at once.
"""

import base64
import hashlib
import html
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey


class Provider:
    def __init__(self):
        self.key = RSAKey.generate_key(2048, parameters={"kid": "signing-1", "alg": "RS256", "use": "sig"})
        self.other_key = RSAKey.generate_key(2048, parameters={"kid": "signing-1", "alg": "RS256", "use": "sig"})
        self.clients = {}
        self.codes = {}
        self.identity = {}
        self.tamper = {}
        self.interactive = False
        self.password = "idp-password"
        self.requests = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def reset(self):
        self.clients.clear()
        self.codes.clear()
        self.identity, self.tamper, self.interactive = {}, {}, False
        self.requests.clear()

    def register_client(self, client_id, secret, redirect_uri):
        self.clients[client_id] = {"secret": secret, "redirect_uri": redirect_uri}

    def discovery(self):
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        }

    def issue_code(self, params, identity):
        code = secrets.token_urlsafe(24)
        self.codes[code] = {
            "client_id": params["client_id"], "redirect_uri": params["redirect_uri"], "nonce": params.get("nonce"),
            "challenge": params["code_challenge"], "identity": dict(identity), "tamper": dict(self.tamper),
        }
        return code

    def id_token(self, grant):
        now = int(time.time())
        identity, tamper = grant["identity"], grant["tamper"]
        claims = {
            "iss": tamper.get("iss", self.issuer), "sub": identity.get("sub", identity["email"]),
            "aud": tamper.get("aud", grant["client_id"]), "iat": now, "exp": now + tamper.get("expires_in", 300),
            "nonce": tamper.get("nonce", grant["nonce"]), "email": identity["email"],
            "email_verified": identity.get("email_verified", True), "name": identity.get("name", ""),
            **identity.get("extra_claims", {}),
        }
        if claims["email_verified"] is None:
            del claims["email_verified"]
        key = self.other_key if tamper.get("bad_signature") else self.key
        return jwt.encode({"alg": "RS256", "kid": "signing-1"}, claims, key)


def _b64_sha256(verifier):
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def _handler(provider):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _send(self, status, body, content_type="application/json", headers=None):
            data = json.dumps(body).encode() if content_type == "application/json" else body.encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)

        def _redirect_with_code(self, params, identity):
            code = provider.issue_code(params, identity)
            query = urlencode({"code": code, "state": params.get("state", "")})
            self._send(302, "", "text/plain", {"Location": f"{params['redirect_uri']}?{query}"})

        def do_GET(self):
            url = urlparse(self.path)
            params = {key: values[0] for key, values in parse_qs(url.query).items()}
            provider.requests.append(("GET", url.path, params))
            if url.path == "/.well-known/openid-configuration":
                return self._send(200, provider.discovery())
            if url.path == "/jwks":
                return self._send(200, KeySet([provider.key]).as_dict(private=False))
            if url.path == "/authorize":
                return self._authorize(params)
            return self._send(404, {"error": "not_found"})

        def _authorize(self, params):
            client = provider.clients.get(params.get("client_id"))
            if client is None or params.get("redirect_uri") != client["redirect_uri"]:
                return self._send(400, {"error": "invalid_client"})
            if params.get("response_type") != "code" or params.get("code_challenge_method") != "S256" \
                    or not params.get("code_challenge") or "openid" not in params.get("scope", "").split():
                return self._send(400, {"error": "invalid_request"})
            if not provider.interactive:
                return self._redirect_with_code(params, provider.identity)
            hidden = "".join(
                f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">' for k, v in params.items()
            )
            page = (
                '<!doctype html><html lang="en"><head><title>Test identity provider</title></head><body><main>'
                '<h1>Test identity provider</h1><form method="post" action="/login">' + hidden +
                '<label for="email">E-mail</label><input id="email" name="email" type="email">'
                '<label for="password">Password</label><input id="password" name="password" type="password">'
                '<button type="submit">Sign in to the identity provider</button></form></main></body></html>'
            )
            return self._send(200, page, "text/html; charset=utf-8")

        def _form(self):
            length = int(self.headers.get("Content-Length", "0"))
            return {key: values[0] for key, values in parse_qs(self.rfile.read(length).decode()).items()}

        def do_POST(self):
            url = urlparse(self.path)
            form = self._form()
            provider.requests.append(("POST", url.path, form))
            if url.path == "/login":
                if form.get("password") != provider.password or form.get("email") != provider.identity.get("email"):
                    return self._send(401, "Wrong e-mail or password.", "text/plain")
                return self._redirect_with_code(form, provider.identity)
            if url.path == "/token":
                return self._token(form)
            return self._send(404, {"error": "not_found"})

        def _token(self, form):
            client_id, secret = form.get("client_id"), form.get("client_secret")
            auth = self.headers.get("Authorization", "")
            if auth.startswith("Basic "):
                client_id, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
            client = provider.clients.get(client_id)
            if client is None or client["secret"] != secret:
                return self._send(401, {"error": "invalid_client"})
            grant = provider.codes.pop(form.get("code", ""), None)
            if grant is None or grant["client_id"] != client_id or grant["redirect_uri"] != form.get("redirect_uri") \
                    or form.get("grant_type") != "authorization_code":
                return self._send(400, {"error": "invalid_grant"})
            if _b64_sha256(form.get("code_verifier", "")) != grant["challenge"]:
                return self._send(400, {"error": "invalid_grant", "error_description": "PKCE verification failed"})
            return self._send(200, {"access_token": secrets.token_urlsafe(16), "token_type": "Bearer",
                                    "expires_in": 300, "id_token": provider.id_token(grant)})

    return Handler
