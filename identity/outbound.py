"""Requests to identity providers, which go only to public addresses.

A customer names the addresses: an OIDC issuer, a SAML metadata URL, and the endpoints the issuer's
discovery document lists. Without a guard, an owner could make the console fetch from its own network
(loopback services, private ranges, the cloud's metadata address at 169.254.169.254). requests-hardened
(Saleor's SSRF filter) resolves each host once, refuses loopback, private, link-local, shared, multicast
and other special ranges, and connects to the very address it checked, so a second DNS answer cannot
swap in another; every redirect goes through the same check. Development and its tests, whose
providers listen on loopback, allow loopback with IDENTITY_ALLOW_LOOPBACK.
"""

from urllib.parse import urlsplit

from django.conf import settings
from requests_hardened import Config, HTTPSession
from requests_hardened.ip_filter import InvalidIPAddress, filter_host
from requests_hardened.ip_filter_adapter import IPFilterAdapter

MAX_REDIRECTS = 5

__all__ = ["InvalidIPAddress", "guard", "is_refused_address", "leads_to_refused_address", "session"]


def _config():
    timeout = settings.SSO_HTTP_TIMEOUT_SECONDS
    return Config(ip_filter_enable=True, ip_filter_allow_loopback_ips=settings.IDENTITY_ALLOW_LOOPBACK,
                  never_redirect=False, default_timeout=(timeout, timeout))


def session():
    """A requests session that reaches only public addresses (loopback too where development allows it)."""
    http = HTTPSession(_config())
    http.max_redirects = MAX_REDIRECTS
    return http


def guard(http):
    """Mount the same address filter on an existing requests session (authlib's OAuth2Session is one)."""
    allow_loopback = settings.IDENTITY_ALLOW_LOOPBACK
    http.mount("http://", IPFilterAdapter(is_https_proto=False, allow_loopback=allow_loopback))
    http.mount("https://", IPFilterAdapter(is_https_proto=True, allow_loopback=allow_loopback))
    http.max_redirects = MAX_REDIRECTS
    return http


def is_refused_address(error):
    """Whether a requests error (or one it was raised from) is the filter refusing an address."""
    while error is not None:
        if isinstance(error, InvalidIPAddress):
            return True
        error = error.__cause__ or error.__context__
    return False


def leads_to_refused_address(url):
    """Whether the URL's host is, or resolves now to, an address the filter refuses.

    For a clear error when an owner saves the address; the filter still checks every connection, since
    a name may resolve elsewhere later. A name that does not resolve (yet) is not refused here.
    """
    parts = urlsplit(url)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return False
    if not parts.hostname:
        return False
    try:
        filter_host(parts.hostname, port, allow_loopback=settings.IDENTITY_ALLOW_LOOPBACK)
    except InvalidIPAddress:
        return True
    except (OSError, UnicodeError, ValueError):  # requests' errors are OSErrors: a name that does not resolve
        return False
    return False
