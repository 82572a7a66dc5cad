"""SAML 2.0 service provider for one organization's connection, on pysaml2 (signing by the xmlsec1 program).

SP-initiated only: the AuthnRequest's ID is kept in the cache under a short random RelayState (the
IdP's POST to the ACS comes from another site, so the session cookie, SameSite=Lax, is not sent
with it); the response must answer that request, carry a signed assertion for our entity ID
(audience) and ACS URL (recipient, destination), inside its time window; an assertion ID is
accepted once (identity.models.UsedAssertion).
"""

import base64
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import requests
from defusedxml import ElementTree
from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.metadata import entity_descriptor
from saml2.saml import NAMEID_FORMAT_EMAILADDRESS, NAMEID_FORMAT_UNSPECIFIED

from . import outbound
from .models import UsedAssertion

MD = "{urn:oasis:names:tc:SAML:2.0:metadata}"
RELAY_STATE_SECONDS = 10 * 60
# Attribute names that carry the address, as Okta, Entra ID and Google send them (compared lower-cased).
EMAIL_ATTRIBUTES = (
    "email", "mail", "emailaddress", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
    "urn:oid:0.9.2342.19200300.100.1.3",
)
NAME_ATTRIBUTES = ("displayname", "name", "http://schemas.microsoft.com/identity/claims/displayname", "cn")

ERR_METADATA = "The metadata is not SAML 2.0 metadata of an identity provider (an EntityDescriptor with an IDPSSODescriptor)."
ERR_METADATA_FETCH = "The metadata URL could not be read: {reason}."
FETCH_CODES = frozenset({"metadata_fetch", "metadata_address_refused"})
ERR_METADATA_MISSING = "Paste the identity provider's metadata XML or give its URL."
ERR_NO_REDIRECT_SSO = "The metadata has no single sign-on service with the HTTP-Redirect binding."


class SAMLError(Exception):
    """A refused SAML message or unusable metadata; ``code`` for logs and tests, ``message`` for people."""

    def __init__(self, message, code="invalid"):
        super().__init__(message)
        self.message, self.code = message, code


@dataclass(frozen=True)
class Assertion:
    email: str
    full_name: str
    assertion_id: str
    expires_at: datetime


def fetch_metadata(url):
    """The IdP's metadata XML from its URL (read by outbound's rules: a public address, at most 1 MB)."""
    if not url:
        raise SAMLError(ERR_METADATA_MISSING, "metadata_missing")
    try:
        with outbound.session() as http:
            response = http.get(url, timeout=settings.SSO_HTTP_TIMEOUT_SECONDS)
            response.raise_for_status()
    except (requests.RequestException, OSError, ValueError) as error:
        code = outbound.failure_code(error, "metadata", "metadata_fetch")
        raise SAMLError(ERR_METADATA_FETCH.format(reason=outbound.describe_failure(error)), code) from error
    return response.content.decode("utf-8", "replace")


def idp_entity_id(metadata_xml):
    """The entity ID of the identity provider the metadata describes (checked to be usable)."""
    try:
        root = ElementTree.fromstring(metadata_xml.encode())
    except Exception as error:  # defusedxml refuses entities and DTDs too: any failure is "not metadata"
        raise SAMLError(ERR_METADATA, "metadata_invalid") from error
    entities = [root] if root.tag == f"{MD}EntityDescriptor" else root.findall(f"{MD}EntityDescriptor")
    for entity in entities:
        idp = entity.find(f"{MD}IDPSSODescriptor")
        if idp is None or not entity.get("entityID"):
            continue
        bindings = {service.get("Binding") for service in idp.findall(f"{MD}SingleSignOnService")}
        if BINDING_HTTP_REDIRECT not in bindings:
            raise SAMLError(ERR_NO_REDIRECT_SSO, "metadata_invalid")
        return entity.get("entityID")
    raise SAMLError(ERR_METADATA, "metadata_invalid")


def sp_urls(connection):
    """What the IdP is told about us: (entity ID, ACS URL, metadata URL); the entity ID is the metadata URL."""
    metadata = settings.SITE_URL + reverse("identity:saml-metadata", args=[connection.public_id])
    acs = settings.SITE_URL + reverse("identity:saml-acs", args=[connection.public_id])
    return metadata, acs, metadata


def _config(connection, *, with_idp=True):
    entity_id, acs, _ = sp_urls(connection)
    config = SPConfig()
    config.load({
        "entityid": entity_id,
        "service": {"sp": {
            "endpoints": {"assertion_consumer_service": [(acs, BINDING_HTTP_POST)]},
            "want_assertions_signed": True,
            "want_response_signed": False,
            "allow_unsolicited": False,
            "authn_requests_signed": False,
            "name_id_format": [NAMEID_FORMAT_EMAILADDRESS],
        }},
        "metadata": {"inline": [connection.idp_metadata_xml]} if with_idp else {},
        "xmlsec_binary": settings.XMLSEC_BINARY,
        "accepted_time_diff": settings.SSO_CLOCK_SKEW_SECONDS,
    })
    return config


def sp_metadata_xml(connection):
    """Our SP metadata for the IdP (entity ID, ACS URL, the e-mail NameID format)."""
    return str(entity_descriptor(_config(connection, with_idp=False)))


def _relay_key(relay_state):
    return f"identity:saml-relay:{relay_state}"


def start(connection):
    """The URL that sends the browser to the IdP with a new AuthnRequest."""
    client = Saml2Client(config=_config(connection))
    relay_state = secrets.token_urlsafe(24)
    request_id, info = client.prepare_for_authenticate(
        entityid=connection.idp_entity_id, relay_state=relay_state, binding=BINDING_HTTP_REDIRECT,
    )
    cache.set(_relay_key(relay_state), {"connection": connection.public_id, "request_id": request_id}, RELAY_STATE_SECONDS)
    return dict(info["headers"])["Location"]


def _take_request_id(connection, relay_state):
    if not isinstance(relay_state, str) or not relay_state or len(relay_state) > 100:
        raise SAMLError("The sign-in did not start here, or took too long.", "unsolicited")
    pending = cache.get(_relay_key(relay_state))
    cache.delete(_relay_key(relay_state))
    if not pending or pending.get("connection") != connection.public_id:
        raise SAMLError("The sign-in did not start here, or took too long.", "unsolicited")
    return pending["request_id"]


def _first(values):
    return values[0] if isinstance(values, list) and values else (values if isinstance(values, str) else "")


def _email_and_name(response):
    attributes = {key.lower(): value for key, value in (response.ava or {}).items()}
    email = next((_first(attributes[name]) for name in EMAIL_ATTRIBUTES if attributes.get(name)), "")
    name_id = response.assertion.subject.name_id if response.assertion and response.assertion.subject else None
    if not email and name_id is not None and name_id.format in (NAMEID_FORMAT_EMAILADDRESS, NAMEID_FORMAT_UNSPECIFIED, None):
        email = (name_id.text or "").strip()
    full_name = next((_first(attributes[name]) for name in NAME_ATTRIBUTES if attributes.get(name)), "")
    if not full_name:
        full_name = " ".join(filter(None, (_first(attributes.get("givenname", "")), _first(attributes.get("sn", "")))))
    return email, full_name[:150]


def _check_destination(saml_response, acs):
    """The response must be addressed to this connection's ACS (read before any signature work)."""
    try:
        root = ElementTree.fromstring(base64.b64decode(saml_response, validate=True))
    except Exception as error:  # not base64, not XML, or XML defusedxml refuses: all the same refusal
        raise SAMLError("The identity provider's answer could not be read.", "invalid") from error
    if root.get("Destination") not in (None, acs):
        raise SAMLError("The response was sent to another address.", "wrong_recipient")


def _check_recipient(response, acs):
    if response.response.destination and response.response.destination != acs:
        raise SAMLError("The response was sent to another address.", "wrong_recipient")
    confirmations = response.assertion.subject.subject_confirmation if response.assertion.subject else []
    if not confirmations or any(
        c.subject_confirmation_data is None or c.subject_confirmation_data.recipient != acs for c in confirmations
    ):
        raise SAMLError("The assertion is for another address.", "wrong_recipient")


def _expiry(response):
    conditions = response.assertion.conditions
    text = conditions.not_on_or_after if conditions is not None else None
    if text:
        return datetime.strptime(text.replace("Z", "").split(".")[0], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC)
    return timezone.now() + timedelta(hours=1)


def finish(connection, saml_response, relay_state):
    """Check the IdP's response and return its Assertion; raises SAMLError for anything refused."""
    request_id = _take_request_id(connection, relay_state)
    _, acs, _ = sp_urls(connection)
    if not isinstance(saml_response, str) or not saml_response:
        raise SAMLError("The identity provider sent no response.", "missing")
    _check_destination(saml_response, acs)
    try:
        client = Saml2Client(config=_config(connection))
        response = client.parse_authn_request_response(saml_response, BINDING_HTTP_POST, outstanding={request_id: "/"})
    except Exception as error:  # pysaml2 raises many kinds; every one means "refused"
        raise SAMLError("The identity provider's answer could not be verified.", _code_for(error)) from error
    if response is None or response.assertion is None:
        raise SAMLError("The identity provider's answer held no assertion.", "no_assertion")
    _check_recipient(response, acs)
    email, full_name = _email_and_name(response)
    return Assertion(email=email, full_name=full_name, assertion_id=response.assertion.id, expires_at=_expiry(response))


def _code_for(error):
    text = f"{type(error).__name__} {error}".lower()
    for needle, code in (
        ("audience", "wrong_audience"), ("signature", "bad_signature"), ("unsolicited", "unsolicited"),
        ("condition", "expired"), ("too old", "expired"), ("not on or after", "expired"), ("destination", "wrong_recipient"),
    ):
        if needle in text:
            return code
    return "invalid"


def consume_assertion(connection, assertion):
    """Record the assertion as used; a second use is refused (replay)."""
    UsedAssertion.objects.filter(expires_at__lt=timezone.now() - timedelta(days=1)).delete()
    try:
        with transaction.atomic():
            UsedAssertion.objects.create(
                connection=connection, assertion_id=assertion.assertion_id[:255], expires_at=assertion.expires_at,
            )
    except IntegrityError as error:
        raise SAMLError("This sign-in answer was already used.", "replayed") from error
