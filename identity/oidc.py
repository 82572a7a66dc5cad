"""OpenID Connect relying party for one organization's connection: authlib for the OAuth 2.0 exchange
(authorization code with PKCE S256), joserfc for the ID token (signature by the issuer's JWKS, iss,
aud, azp, exp, iat, nonce).

What a sign-in needs between the redirect and the callback (state, nonce, PKCE verifier) is kept in
the session, keyed by state: the callback is a top-level GET, so the SameSite=Lax cookie comes with it.
"""

import hashlib
import secrets
import time
from dataclasses import dataclass

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.requests_client import OAuth2Session
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

from . import crypto, outbound

SESSION_KEY = "identity_oidc"
PENDING_SECONDS = 10 * 60
PENDING_KEPT = 5
DISCOVERY_SECONDS = 60 * 60
FAILURE_SECONDS = 30
# Asymmetric algorithms only: "none" and HMAC (keyed with the client secret) are never accepted.
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"]
SCOPES = "openid email profile"


class OIDCError(Exception):
    """A refused or failed OpenID Connect sign-in; ``code`` for logs and tests, ``message`` for people."""

    def __init__(self, message, code="invalid"):
        super().__init__(message)
        self.message, self.code = message, code


@dataclass(frozen=True)
class Claims:
    email: str
    email_verified: bool
    full_name: str


ERR_PROVIDER = "The identity provider could not be reached or gave an unusable answer."
ERR_TOKEN = "The identity provider's answer could not be verified."  # noqa: S105 - a message


def redirect_uri(connection):
    """The redirect URI registered at the provider for this connection."""
    return settings.SITE_URL + reverse("identity:oidc-callback", args=[connection.public_id])


def _get_json(url):
    """The JSON document at `url` (read by outbound's rules: a public address, at most 1 MB)."""
    try:
        with outbound.session() as http:
            response = http.get(url, timeout=settings.SSO_HTTP_TIMEOUT_SECONDS)
            response.raise_for_status()
            return response.json()
    # RecursionError: JSON nested thousands deep.
    except (requests.RequestException, ValueError, RecursionError) as error:
        raise OIDCError(ERR_PROVIDER, outbound.failure_code(error, "provider", "provider_unreachable")) from error


def _cache_key(kind, url):
    return f"identity:oidc:{kind}:{hashlib.sha256(url.encode()).hexdigest()}"


def discover(issuer):
    """The issuer's discovery document (cached for an hour), checked to name that issuer.

    A failure is remembered for FAILURE_SECONDS: sign-ins started meanwhile fail at once, without asking
    a broken (or hostile) provider again, so a burst of starts costs one request to it.
    """
    key, failed_key = _cache_key("discovery", issuer), _cache_key("discovery-failed", issuer)
    document = cache.get(key)
    if document is None:
        if failed_code := cache.get(failed_key):
            raise OIDCError(ERR_PROVIDER, failed_code)
        try:
            document = _read_discovery(issuer)
        except OIDCError as error:
            cache.set(failed_key, error.code, FAILURE_SECONDS)
            raise
        cache.set(key, document, DISCOVERY_SECONDS)
    return document


def _read_discovery(issuer):
    document = _get_json(issuer.rstrip("/") + "/.well-known/openid-configuration")
    if not isinstance(document, dict) or document.get("issuer") != issuer:
        raise OIDCError(ERR_PROVIDER, "issuer_mismatch")
    endpoints = [document.get(k) for k in ("authorization_endpoint", "token_endpoint", "jwks_uri")]
    scheme = ("https://", "http://") if settings.IDENTITY_ALLOW_HTTP else ("https://",)
    if not all(isinstance(url, str) and url.startswith(scheme) for url in endpoints):
        raise OIDCError(ERR_PROVIDER, "discovery_incomplete")
    return document


def _key_set(jwks_uri, *, fresh=False):
    key = _cache_key("jwks", jwks_uri)
    keys = None if fresh else cache.get(key)
    if keys is None:
        keys = _get_json(jwks_uri)
        cache.set(key, keys, DISCOVERY_SECONDS)
    try:
        return KeySet.import_key_set(keys)
    except (JoseError, ValueError, TypeError, KeyError) as error:
        raise OIDCError(ERR_PROVIDER, "jwks_invalid") from error


def _session(connection):
    return outbound.guard(OAuth2Session(
        client_id=connection.client_id,
        client_secret=crypto.decrypt_secret(connection.client_secret_encrypted),
        redirect_uri=redirect_uri(connection),
        scope=SCOPES,
        code_challenge_method="S256",
    ))


def start(connection, session):
    """The provider's authorization URL for a new sign-in; its state, nonce and verifier go in the session."""
    document = discover(connection.issuer)
    state, nonce, verifier = secrets.token_urlsafe(32), secrets.token_urlsafe(32), secrets.token_urlsafe(64)
    url, _ = _session(connection).create_authorization_url(
        document["authorization_endpoint"], state=state, nonce=nonce, code_verifier=verifier,
    )
    pending = {k: v for k, v in (session.get(SESSION_KEY) or {}).items() if v.get("at", 0) > time.time() - PENDING_SECONDS}
    pending[state] = {"connection": connection.public_id, "nonce": nonce, "verifier": verifier, "at": time.time()}
    # Only the latest few sign-ins (tabs) are kept.
    session[SESSION_KEY] = dict(sorted(pending.items(), key=lambda item: item[1]["at"])[-PENDING_KEPT:])
    return url


def _take_pending(connection, session, state):
    pending = dict(session.get(SESSION_KEY) or {})
    entry = pending.pop(state, None) if isinstance(state, str) else None
    session[SESSION_KEY] = pending
    if not entry or entry.get("connection") != connection.public_id or entry.get("at", 0) < time.time() - PENDING_SECONDS:
        raise OIDCError("The sign-in did not start here, or took too long: start again.", "state_mismatch")
    return entry


def _is_true(value):
    return value is True or (isinstance(value, str) and value.lower() == "true")


def validate_id_token(connection, id_token, nonce, *, document):
    """The ID token's claims once its signature (the issuer's JWKS) and claims check out."""
    try:
        token = _decode(id_token, document["jwks_uri"])
        claims = token.claims
        registry = jwt.JWTClaimsRegistry(
            leeway=settings.SSO_CLOCK_SKEW_SECONDS,
            iss={"essential": True, "value": connection.issuer},
            sub={"essential": True},
            exp={"essential": True},
            iat={"essential": True},
            nonce={"essential": True, "value": nonce},
        )
        registry.validate(claims)
    except (JoseError, ValueError, TypeError) as error:
        raise OIDCError(ERR_TOKEN, _code_for(error)) from error
    audiences = claims.get("aud")
    audiences = [audiences] if isinstance(audiences, str) else audiences
    if not isinstance(audiences, list) or connection.client_id not in audiences:
        raise OIDCError(ERR_TOKEN, "wrong_audience")
    if (len(audiences) > 1 or "azp" in claims) and claims.get("azp") != connection.client_id:
        raise OIDCError(ERR_TOKEN, "wrong_audience")
    return claims


def _decode(id_token, jwks_uri):
    try:
        return jwt.decode(id_token, _key_set(jwks_uri), algorithms=ALGORITHMS)
    except InvalidKeyIdError:
        # A key id we do not know may be a key the provider has just rotated in: fetch its keys once more.
        return jwt.decode(id_token, _key_set(jwks_uri, fresh=True), algorithms=ALGORITHMS)


def _code_for(error):
    text = str(error).lower()
    for needle, code in (
        ("'nonce'", "wrong_nonce"), ("'iss'", "wrong_issuer"), ("expired", "expired"), ("signature", "bad_signature"),
    ):
        if needle in text:
            return code
    return "invalid_token"


def finish(connection, session, params):
    """Exchange the callback's code for tokens and return the verified Claims; raises OIDCError."""
    if params.get("error"):
        raise OIDCError("The identity provider did not sign you in.", "provider_error")
    entry = _take_pending(connection, session, params.get("state"))
    code = params.get("code")
    if not isinstance(code, str) or not code or len(code) > 2048:
        raise OIDCError("The identity provider sent no authorization code.", "no_code")
    document = discover(connection.issuer)
    try:
        tokens = _session(connection).fetch_token(
            document["token_endpoint"], code=code, code_verifier=entry["verifier"],
            timeout=settings.SSO_HTTP_TIMEOUT_SECONDS,
        )
    except (AuthlibBaseError, requests.RequestException, ValueError, RecursionError) as error:
        raise OIDCError(ERR_PROVIDER, outbound.failure_code(error, "provider", "token_exchange")) from error
    id_token = tokens.get("id_token")
    if not isinstance(id_token, str):
        raise OIDCError(ERR_TOKEN, "no_id_token")
    claims = validate_id_token(connection, id_token, entry["nonce"], document=document)
    email = claims.get("email")
    # Entra ID sends no email_verified; its optional xms_edov ("e-mail domain owner verified") stands in,
    # only when email_verified is absent (a provider that says false is never overruled).
    if "email_verified" in claims:
        verified = _is_true(claims["email_verified"])
    else:
        verified = _is_true(claims.get("xms_edov"))
    name = claims.get("name") or " ".join(filter(None, (claims.get("given_name"), claims.get("family_name"))))
    return Claims(email=email if isinstance(email, str) else "", email_verified=verified,
                  full_name=name[:150] if isinstance(name, str) else "")
