"""Domain verification look-ups: the TXT record at _dmc-challenge.<domain>, through DNS_NAMESERVERS.

DNS_NAMESERVERS lists "host[:port]" entries (an IPv6 address in brackets when it has a port);
empty, the system's resolver answers. A look-up that fails for any reason counts as "not found".
"""

import logging

import dns.exception
import dns.nameserver
import dns.resolver
from django.conf import settings

logger = logging.getLogger(__name__)

LOOKUP_LIFETIME_SECONDS = 5
ERR_NAMESERVER = "DNS_NAMESERVERS entries are host[:port], not {entry!r}."


def _nameserver(entry):
    entry = entry.strip()
    host, port = entry, 53
    if entry.startswith("["):
        host, _, rest = entry[1:].partition("]")
        if rest:
            port = rest.removeprefix(":")
    elif entry.count(":") == 1:
        host, port = entry.split(":")
    try:
        return dns.nameserver.Do53Nameserver(host, port=int(port))
    except ValueError as error:
        raise ValueError(ERR_NAMESERVER.format(entry=entry)) from error


def resolver():
    """A resolver asking DNS_NAMESERVERS, or the system's when none are set."""
    entries = [entry for entry in settings.DNS_NAMESERVERS if entry.strip()]
    if not entries:
        return dns.resolver.Resolver()
    configured = dns.resolver.Resolver(configure=False)
    configured.nameservers = [_nameserver(entry) for entry in entries]
    return configured


def txt_values(name):
    """The strings of the TXT records at a name ([] when there are none or the look-up fails)."""
    try:
        answer = resolver().resolve(name, "TXT", lifetime=LOOKUP_LIFETIME_SECONDS, search=False)
    except (dns.exception.DNSException, OSError) as error:
        logger.info("TXT look-up of %s failed: %s", name, type(error).__name__)
        return []
    return [b"".join(record.strings).decode("utf-8", "replace") for record in answer]


def has_verification_record(domain):
    """Whether the domain publishes its organization's verification value."""
    return domain.record_value in txt_values(domain.record_name)
