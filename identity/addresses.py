"""E-mail addresses as identity compares, stores and looks them up: the console's one normal form."""

from console.addresses import normalize_email

__all__ = ["email_domain", "normalize_email"]


def email_domain(address):
    """The domain part of a normalised address ("" when it has none)."""
    local, at, domain = normalize_email(address).rpartition("@")
    return domain if at and local else ""
