"""Who is calling: an organization key (``x-api-key`` or ``Authorization: Bearer``) or a signed-in session.

A key is checked with one indexed read (api.selectors.get_key_for_check) after its shape and
checksum, so a mistyped key costs no database work. An unknown, malformed, expired or revoked key
gets one and the same 401, whichever it is. A valid key then counts against its rate limit, is
noted as used, and acts for its own organization only (any other slug is the 404 of an unknown
one), within its scopes, with the rights of the decider who made it.
"""

from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.utils import timezone
from ninja.security.base import AuthBase

from audit.services import RequestMeta
from console.errors import ERR_SIGN_IN
from feedback.ratelimit import take_slot
from orgs.access import ERR_NO_ORG
from orgs.models import Membership, Organization
from orgs.selectors import get_membership

from . import permissions, selectors, services
from .audit import key_request_meta
from .errors import error_response
from .exceptions import ApiError
from .keys import is_well_formed, key_digest
from .models import ApiKey
from .refusals import refusal
from .transport import check_csrf

KEY_HEADER = "x-api-key"

ERR_BAD_KEY = "The API key is not valid: it is unknown, mistyped, expired or revoked."
ERR_NO_KEY = f"Send an organization API key in the {KEY_HEADER} header (or as Authorization: Bearer)."
ERR_TOO_MANY = "Too many requests with this key: wait a moment and try again."


@dataclass(frozen=True)
class Caller:
    """An authenticated request: the organization, whose rights apply, and the key if one was used."""

    organization: Organization
    # The signed-in person's membership, or the key's maker's: the rules of the pages apply to it.
    membership: Membership
    request_meta: RequestMeta
    key: ApiKey | None = None

    @property
    def actor(self):
        """The person the services hold to their rules."""
        return self.membership.user


def presented_key(request):
    """The key the request carries in x-api-key or as a bearer token, or None when it carries neither."""
    key = request.headers.get(KEY_HEADER)
    if key is not None:
        return key
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


def _slug(request):
    return request.resolver_match.kwargs.get("slug") if request.resolver_match else None


def check_key(request, text):
    """The Caller for a request made with this key text, or raise the ApiError that refuses it."""
    now = timezone.now()
    key = selectors.get_key_for_check(key_digest(text)) if is_well_formed(text) else None
    if key is None or not key.is_usable(now):
        raise ApiError(401, "invalid_api_key", ERR_BAD_KEY)
    retry_after = take_slot(f"api-key-rate:{key.pk}", settings.API_KEY_RATE_LIMIT_PER_MINUTE)
    if retry_after:
        raise ApiError(429, "rate_limited", ERR_TOO_MANY, headers={"Retry-After": str(retry_after)})
    meta = key_request_meta(request, key)
    services.record_key_use(key=key, now=now, ip_address=meta.ip_address)
    if _slug(request) != key.organization.slug:
        # Another organization's slug, known or not, answers as an unknown one.
        raise ApiError(404, "not_found", ERR_NO_ORG)
    if reason := permissions.why_key_cannot_act(key.creator_membership):
        raise refusal(reason)
    if reason := permissions.why_key_lacks_scope(key, permissions.scope_for_method(request.method)):
        raise ApiError(403, "insufficient_scope", reason)
    return Caller(organization=key.organization, membership=key.creator_membership, request_meta=meta, key=key)


def check_session_member(request):
    """The Caller for a signed-in member of the slug's organization, None when signed out; 404 for others."""
    if not request.user.is_authenticated:
        return None
    membership = get_membership(request.user, _slug(request))
    if membership is None:
        # The same answer as for an org that does not exist, so its existence does not leak.
        raise ApiError(404, "not_found", ERR_NO_ORG)
    return Caller(organization=membership.organization, membership=membership, request_meta=RequestMeta.from_request(request))


class ApiKeyHeader(AuthBase):
    """An organization key in the x-api-key header."""

    openapi_type = "apiKey"
    openapi_in = "header"
    openapi_name = KEY_HEADER
    openapi_description = "An organization API key (`dmc_admin_…`), made on Settings → API keys."

    def __call__(self, request):
        text = request.headers.get(KEY_HEADER)
        return None if text is None else check_key(request, text)


class BearerKey(AuthBase):
    """An organization key as a bearer token."""

    openapi_type = "http"
    openapi_scheme = "bearer"
    openapi_description = "The same key as `Authorization: Bearer dmc_admin_…`."

    def __call__(self, request):
        if request.headers.get(KEY_HEADER) is not None:
            return None  # x-api-key decides
        text = presented_key(request)
        return None if text is None else check_key(request, text)


class SessionCookie(AuthBase):
    """A person signed in to the console (the session cookie; changes also need the CSRF token)."""

    openapi_type = "apiKey"
    openapi_in = "cookie"
    openapi_name = "sessionid"
    openapi_description = "The console's session, as the pages use it; send the `csrftoken` cookie's value as `X-CSRFToken` with a POST."

    def __init__(self, member_of_slug=False):
        self.member_of_slug = member_of_slug
        super().__init__()

    def __call__(self, request):
        if presented_key(request) is not None:
            return None  # a request carrying a key is decided by the key alone
        if self.member_of_slug:
            return check_session_member(request)
        return request.user if request.user.is_authenticated else None


def refuse(detail, code="not_authenticated"):
    """The last of an operation's authentications: none matched, so answer 401 saying what to send."""

    def authenticate(request):
        raise ApiError(401, code, detail)

    return authenticate


KEY_AUTH = [ApiKeyHeader(), BearerKey(), refuse(ERR_NO_KEY)]
KEY_OR_SESSION_AUTH = [ApiKeyHeader(), BearerKey(), SessionCookie(member_of_slug=True), refuse(ERR_SIGN_IN)]
SESSION_AUTH = [SessionCookie(), refuse(ERR_SIGN_IN)]


def session_csrf_first(view):
    """Check a signed-in browser's CSRF token before anything else, as Django's middleware does on the pages.

    ninja's views are exempt from the middleware; requests carrying a key are not a browser's and
    carry no cookie to forge, and signed-out requests are answered 401 by the view first.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if presented_key(request) is None and request.user.is_authenticated:
            try:
                check_csrf(request)
            except ApiError as refused:
                return error_response(refused)
        return view(request, *args, **kwargs)

    wrapper.csrf_exempt = True
    return wrapper
