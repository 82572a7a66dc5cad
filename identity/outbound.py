"""Requests to identity providers, which go only to public addresses, over HTTPS, and read a bounded answer.

A customer names the addresses: an OIDC issuer, a SAML metadata URL, and the endpoints the issuer's
discovery document lists. Without a guard, an owner could make the console fetch from its own network
(loopback services, private ranges, the cloud's metadata address at 169.254.169.254). requests-hardened
(Saleor's SSRF filter) resolves each host once, refuses loopback, private, link-local, shared, multicast
and other special ranges, and connects to the very address it checked, so a second DNS answer cannot
swap in another. This module adds what it leaves out:

- the ranges it lets through: any address that is not global, reserved or site-local, and IPv6 forms
  that carry an IPv4 address (IPv4-compatible ::/96, IPv4-translated ::ffff:0:0:0/96);
- every hop of a redirect checked alike, and plain http:// refused on every hop where
  IDENTITY_ALLOW_HTTP is off (a redirect from https:// to http:// included);
- no proxy from the environment (a proxy would resolve the name again, undoing the pinning);
- an answer of at most MAX_RESPONSE_BYTES (after decompression), and one deadline for a whole call,
  redirects included (deadline_seconds()): each read waits at most SSO_HTTP_TIMEOUT_SECONDS and never past
  the deadline, and a body still arriving at the deadline is cut off (a per-read timeout alone lets a
  server drip one byte at a time for ever). Headers dripped a byte at a time are bounded per read only.

Development and its tests, whose providers listen on loopback, allow loopback with IDENTITY_ALLOW_LOOPBACK.
"""

import ipaddress
import time
from urllib.parse import urlsplit

import idna
import requests
from django.conf import settings
from requests_hardened.ip_filter import InvalidIPAddress, filter_host
from requests_hardened.ip_filter_adapter import IPFilterAdapter
from urllib3 import exceptions as urllib3_errors
from urllib3.util import parse_url

MAX_REDIRECTS = 5
MAX_RESPONSE_BYTES = 1_000_000
READ_CHUNK_BYTES = 64 * 1024
# IPv4 addresses written as IPv6: IPv4-compatible (deprecated) and IPv4-translated (SIIT).
EMBEDDING_IPV4 = (ipaddress.ip_network("::/96"), ipaddress.ip_network("::ffff:0:0:0/96"))

__all__ = ["InvalidIPAddress", "PlainHTTPRefused", "ResponseTooLarge", "ResponseTooSlow", "describe_failure",
           "failure_code", "guard", "is_refused_address", "is_valid_address", "leads_to_refused_address", "session"]


class PlainHTTPRefused(requests.RequestException):
    """A hop over plain http:// where IDENTITY_ALLOW_HTTP is off."""


class ResponseTooLarge(requests.RequestException):
    """An answer longer than MAX_RESPONSE_BYTES."""


class ResponseTooSlow(requests.Timeout):
    """An answer not read in full within the deadline."""


def deadline_seconds():
    """The time one call may take, every redirect included: twice the per-read timeout."""
    return 2 * settings.SSO_HTTP_TIMEOUT_SECONDS


def is_refused_ip(ip, *, allow_loopback):
    """Whether an address is outside what an identity provider may be reached at (beyond the library's rule)."""
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if allow_loopback and ip.is_loopback:
        return False
    if ip.version == 6 and any(ip in network for network in EMBEDDING_IPV4):
        return True
    return not ip.is_global or ip.is_reserved or ip.is_multicast or getattr(ip, "is_site_local", False)


def _checked_host(hostname, port, *, allow_loopback):
    """The address to connect to for `hostname` (resolved once), or InvalidIPAddress."""
    address = filter_host(hostname.rstrip(".") or hostname, port, allow_loopback=allow_loopback)
    ip = ipaddress.ip_address(address.strip("[]"))
    if is_refused_ip(ip, allow_loopback=allow_loopback):
        raise InvalidIPAddress(ip)
    return address


class ProviderAdapter(IPFilterAdapter):
    """requests-hardened's adapter with this module's extra ranges, the scheme rule and a bounded answer.

    `deadline` (a time.monotonic() value) is set by the guarded session for each call.
    """

    deadline = None

    def build_connection_pool_key_attributes(self, request, verify, cert=None):
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(request, verify, cert)
        ip = ipaddress.ip_address(host_params["host"].strip("[]"))
        if is_refused_ip(ip, allow_loopback=self._allow_loopback):
            raise InvalidIPAddress(ip)
        return host_params, pool_kwargs

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        if request.url.lower().startswith("http://") and not settings.IDENTITY_ALLOW_HTTP:
            raise PlainHTTPRefused("plain http:// is not allowed", request=request)
        deadline = self.deadline or time.monotonic() + deadline_seconds()
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise ResponseTooSlow(f"not answered within {deadline_seconds()} s", request=request)
        per_read = min(settings.SSO_HTTP_TIMEOUT_SECONDS, remaining)
        response = super().send(request, stream=True, timeout=(per_read, per_read), verify=verify, cert=cert,
                                proxies=proxies)
        try:
            response._content, response._content_consumed = _read_bounded(response, deadline), True
        finally:
            response.close()
        return response


# What urllib3 raises while a body is read, as the requests errors callers catch (requests does the same
# in iter_content).
_BODY_ERRORS = (
    (urllib3_errors.ReadTimeoutError, requests.exceptions.ReadTimeout),
    (urllib3_errors.SSLError, requests.exceptions.SSLError),
    (urllib3_errors.DecodeError, requests.exceptions.ContentDecodingError),
    (urllib3_errors.ProtocolError, requests.exceptions.ChunkedEncodingError),
    (urllib3_errors.HTTPError, requests.exceptions.ConnectionError),
)


def _read_bounded(response, deadline):
    """The whole (decoded) body, refused past MAX_RESPONSE_BYTES or the deadline."""
    body = bytearray()
    # read1: what one receive brings (each within the per-read timeout), so the deadline is checked often;
    # b"" only at the end of the answer.
    while chunk := _read1(response):
        body += chunk
        if len(body) > MAX_RESPONSE_BYTES:
            raise ResponseTooLarge(f"longer than {MAX_RESPONSE_BYTES:,} bytes", response=response)
        if time.monotonic() > deadline:
            raise ResponseTooSlow(f"not read within {deadline_seconds()} s", response=response)
    return bytes(body)


def _read1(response):
    try:
        return response.raw.read1(READ_CHUNK_BYTES, decode_content=True)
    except (urllib3_errors.HTTPError, OSError) as error:
        for raised, meaning in _BODY_ERRORS:
            if isinstance(error, raised):
                raise meaning(error, response=response) from error
        raise requests.exceptions.ConnectionError(error, response=response) from error


def guard(http):
    """Put the provider rules on a requests session (ours, or authlib's OAuth2Session)."""
    allow_loopback = settings.IDENTITY_ALLOW_LOOPBACK
    adapters = [ProviderAdapter(is_https_proto=False, allow_loopback=allow_loopback),
                ProviderAdapter(is_https_proto=True, allow_loopback=allow_loopback)]
    http.mount("http://", adapters[0])
    http.mount("https://", adapters[1])
    http.max_redirects = MAX_REDIRECTS
    http.trust_env = False  # no proxy, .netrc or CA bundle from the environment: the address checked is the one used
    request = http.request

    def request_within_deadline(*args, **kwargs):
        """One call, its redirects included, within deadline_seconds()."""
        deadline = time.monotonic() + deadline_seconds()
        for adapter in adapters:
            adapter.deadline = deadline
        return request(*args, **kwargs)

    http.request = request_within_deadline
    return http


def session():
    """A requests session that follows the provider rules."""
    return guard(requests.Session())


def failure_code(error, prefix, code):
    """`<prefix>_address_refused` when the rules refused the address, else `code` (for logs and tests)."""
    return f"{prefix}_address_refused" if is_refused_address(error) else code


def is_refused_address(error):
    """Whether a requests error (or one it was raised from) is an address the rules refuse."""
    while error is not None:
        if isinstance(error, InvalidIPAddress):
            return True
        error = error.__cause__ or error.__context__
    return False


def describe_failure(error):
    """Plain words for why an identity provider's address could not be read."""
    if is_refused_address(error):
        return "it leads to a private or local network address (a redirect included)"
    if isinstance(error, PlainHTTPRefused):
        return "it (or a redirect) uses plain http://, not https://"
    if isinstance(error, (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError)):
        return "its answer was cut short or unreadable"
    if isinstance(error, ResponseTooLarge):
        return f"its answer is longer than {MAX_RESPONSE_BYTES // 1_000_000} MB"
    if isinstance(error, requests.Timeout):
        return "the server did not answer in time"
    if isinstance(error, requests.TooManyRedirects):
        return f"it redirects more than {MAX_REDIRECTS} times"
    if isinstance(error, requests.HTTPError) and error.response is not None:
        return f"the server answered HTTP {error.response.status_code}"
    if isinstance(error, (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema,
                          requests.exceptions.InvalidSchema, ValueError)):
        return "it is not a valid web address"
    return "the server could not be reached"


def leads_to_refused_address(url):
    """Whether the URL's host is, or resolves now to, an address the rules refuse.

    For a clear error when an owner saves the address; every connection is still checked, since a name
    may resolve elsewhere later. The URL is read as requests reads it (urllib3's parser, so a backslash
    ends the host as it does when connecting). A name that does not resolve (yet) is not refused here.
    """
    try:
        parts = parse_url(url)
    except ValueError:
        return False
    if not parts.host:
        return False
    port = parts.port or (443 if (parts.scheme or "").lower() == "https" else 80)
    try:
        host = parts.host.strip("[]")
        if not host.isascii():  # the name requests looks up: IDNA 2008 (UTS 46), not Python's IDNA 2003 codec
            host = idna.encode(host, uts46=True).decode("ascii")
        _checked_host(host, port, allow_loopback=settings.IDENTITY_ALLOW_LOOPBACK)
    except InvalidIPAddress:
        return True
    # requests' errors are OSErrors (a name that does not resolve); idna's are UnicodeErrors.
    except (OSError, UnicodeError, ValueError):
        return False
    return False


def is_valid_address(url):
    """Whether requests can use the URL as a provider's address (a host, a port from 1 to 65535)."""
    try:
        parts = parse_url(url)
        split = urlsplit(url)
        split.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        return False
    # No backslash in the authority (requests would end the host there), no IPv6 zone ("%"): never a provider's.
    return (bool(parts.host) and "\\" not in (split.netloc or "") and "%" not in parts.host
            and (parts.port is None or 0 < parts.port < 65536))
