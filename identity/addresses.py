"""E-mail addresses as identity compares, stores and looks them up: one normalisation, one place.

The console app will own the project-wide normalisation (NFKC, IDNA domain, case folded, look-alike
scripts refused); until it lands, this is the one function identity calls, so swapping it is one edit.
"""


def normalize_email(address):
    """The address as stored and compared: surrounding spaces removed, lower case."""
    return (address or "").strip().lower()


def email_domain(address):
    """The domain part of a normalised address ("" when it has none)."""
    local, at, domain = normalize_email(address).rpartition("@")
    return domain if at and local else ""
