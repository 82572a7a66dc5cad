"""E-mail addresses: one normal form, and the rules for an address that names a new identity.

Every address is normalised by ``normalize_email`` before it is compared, counted, stored, looked
up or mailed (sign-in, the sign-in lock-out, invitations, the staff admin, and SCIM and SSO when
they come): Unicode NFKC, the local part case folded, the domain through IDNA 2008 with UTS #46
mapping (the ``idna`` package). Two spellings are one person exactly when their normal forms are
equal, so the database compares them with ``=`` on the stored normal form, never with
``UPPER()``/``LOWER()`` (PostgreSQL folds a dotless ı onto I, Python does not).

``clean_new_email`` decides whether an address may name a new account or invitation. It refuses:

- a local part (before the @) that is not plain ASCII. Django's SMTP backend cannot address a
  non-ASCII local part (it has no SMTPUTF8; it would mail an RFC 2047-encoded word, another
  address than the one shown), and this refuses every look-alike there: a dotless ı, a long ſ,
  a Kelvin sign, full-width letters, Cyrillic а.
- a domain character that UTS #46 maps onto ASCII or away (full-width letters, ſ, the Kelvin
  sign, the ideographic full stop, zero-width and soft-hyphen characters): it would be another
  spelling of an ASCII domain.
- a domain label that mixes scripts beyond UTS #39's "highly restrictive" sets (one script, or
  Latin with the Han-based Japanese, Chinese or Korean sets), and a label holding a character
  Unicode's confusables data makes a look-alike of an ASCII letter or digit: any such character
  beside Latin letters (ı, ɑ, ɡ), or a label made only of them (Cyrillic "асе" looks like "ace").
  Script and confusables data come from the ``confusable_homoglyphs`` package (Unicode's
  Scripts.txt and confusables.txt, the data django-registration checks usernames against).
"""

import unicodedata
from collections import defaultdict

import idna
from confusable_homoglyphs.categories import alias as script_of
from confusable_homoglyphs.confusables import confusables_data
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator

# The longest address SMTP carries (RFC 5321 path limit less the angle brackets); the User
# column and every stored address share it.
MAX_EMAIL_LENGTH = 254

ERR_EMAIL_INVALID = "Enter a valid e-mail address, such as name@example.com."
ERR_EMAIL_TOO_LONG = f"An e-mail address has at most {MAX_EMAIL_LENGTH} characters."
ERR_EMAIL_LOCAL_PART = (
    "Before the @, use only plain letters a–z, digits and . _ + - (letters from other alphabets, "
    "accented or full-width letters, and look-alikes such as ı or ſ cannot be used)."
)
ERR_EMAIL_DOMAIN_LOOKALIKE = (
    "The domain holds a character that looks like a plain letter, digit or dot but is not one "
    "(such as a dotless ı, a long ſ, a full-width or a Cyrillic letter): type it with plain letters."
)
ERR_EMAIL_DOMAIN_MIXED = "A part of the domain mixes alphabets (such as Latin and Cyrillic): type each part in one alphabet."

# UTS #39 §5.2 "highly restrictive": a label's scripts are one script, or within one of these.
_ALLOWED_SCRIPT_MIXES = (
    {"LATIN", "HAN", "HIRAGANA", "KATAKANA"},
    {"LATIN", "HAN", "BOPOMOFO"},
    {"LATIN", "HAN", "HANGUL"},
)
_SCRIPTLESS = {"COMMON", "INHERITED"}
_syntax = EmailValidator(message=ERR_EMAIL_INVALID)


def _fold(text):
    return unicodedata.normalize("NFKC", text.casefold())


def _ascii_domain(domain):
    """The domain's A-labels (IDNA 2008, UTS #46 mapping, STD3 rules); IDNAError when it is no domain."""
    return idna.encode(domain, uts46=True, std3_rules=True).decode("ascii")


def normalize_email(value):
    """The one form of an e-mail address that is compared, counted, stored, looked up and mailed.

    Total: any text gets a form (text that is no address still folds), so a lookup never fails on
    its input; whether an address is acceptable for a new identity is ``clean_new_email``'s answer.
    """
    text = unicodedata.normalize("NFKC", value).strip()
    local, at, domain = text.rpartition("@")
    if not at:
        return _fold(text)
    try:
        domain = idna.decode(_ascii_domain(domain))
    except (idna.IDNAError, UnicodeError):
        domain = _fold(domain)
    return f"{_fold(local)}@{domain}"


def _looks_like_ascii(char):
    """Whether Unicode's confusables data makes this character a look-alike of one ASCII letter or digit."""
    return any(len(g["c"]) == 1 and g["c"].isascii() and g["c"].isalnum() for g in confusables_data.get(char, ()))


def _why_label_refused(label):
    if label.isascii():
        return None
    scripts = {script_of(char) for char in label} - _SCRIPTLESS
    if len(scripts) > 1 and not any(scripts <= allowed for allowed in _ALLOWED_SCRIPT_MIXES):
        return ERR_EMAIL_DOMAIN_MIXED
    lookalikes = [_looks_like_ascii(char) for char in label if not char.isascii() and script_of(char) not in _SCRIPTLESS]
    if ("LATIN" in scripts and any(lookalikes)) or (lookalikes and all(lookalikes)):
        return ERR_EMAIL_DOMAIN_LOOKALIKE
    return None


def why_new_email_refused(value):
    """Why this address may not name a new account or invitation (an ``ERR_EMAIL_*``), or None."""
    text = value.strip()
    local, at, domain = text.rpartition("@")
    if not (at and local and domain):
        return ERR_EMAIL_INVALID
    if not local.isascii():
        return ERR_EMAIL_LOCAL_PART
    for char in domain:
        if not char.isascii():
            try:
                mapped = idna.uts46_remap(char, std3_rules=True, transitional=False)
            except (idna.IDNAError, UnicodeError):
                return ERR_EMAIL_INVALID
            if not mapped or any(c.isascii() for c in mapped):
                return ERR_EMAIL_DOMAIN_LOOKALIKE
    normal = normalize_email(text)
    if len(normal) > MAX_EMAIL_LENGTH:
        return ERR_EMAIL_TOO_LONG
    try:
        ascii_domain = _ascii_domain(domain)
        labels = idna.decode(ascii_domain).split(".")
    except (idna.IDNAError, UnicodeError):
        return ERR_EMAIL_INVALID
    for label in labels:
        if reason := _why_label_refused(label):
            return reason
    try:
        _syntax(f"{local}@{ascii_domain}")
    except ValidationError:
        return ERR_EMAIL_INVALID
    # Stored addresses are lower case (the invitations' check constraint): a case fold that is
    # not lower case (Cherokee letters fold to capitals) is refused rather than failing that check.
    if normal != normal.lower():
        return ERR_EMAIL_INVALID
    return None


def same_address(first, second):
    """Whether two addresses are one person's: their normal forms are equal."""
    return normalize_email(first) == normalize_email(second)


def clean_new_email(value):
    """The normal form of an address for a new account or invitation; ValidationError saying why it is refused."""
    if reason := why_new_email_refused(value):
        raise ValidationError(reason, code="invalid")
    return normalize_email(value)


class AddressCollision(Exception):
    """Stored addresses that are one identity once normalised: an operator decides, nothing is merged."""


def normalise_stored_addresses(queryset, *, field="email", scope=(), what="accounts", fix=""):
    """Store each row's address in its normal form (for data migrations); returns how many changed.

    Rows of one ``scope`` (e.g. one organization) whose addresses share a normal form are one
    identity stored twice: then AddressCollision lists every group and nothing is changed.
    """
    groups = defaultdict(list)
    for pk, address, *where in queryset.order_by("pk").values_list("pk", field, *scope).iterator():
        groups[(*where, normalize_email(address))].append((pk, address))
    clashes = {key: rows for key, rows in groups.items() if len(rows) > 1}
    if clashes:
        lines = "\n".join(
            f"  {key[-1]}: " + ", ".join(f"#{pk} {address!r}" for pk, address in rows) for key, rows in clashes.items()
        )
        raise AddressCollision(
            f"{len(clashes)} group(s) of {what} are one address once normalised (NFKC, IDNA domain, case folded). "
            f"Nothing was changed or merged. {fix} Then run migrate again.\n{lines}"
        )
    changed = 0
    for key, [(pk, address)] in groups.items():
        if address != key[-1]:
            changed += queryset.filter(pk=pk).update(**{field: key[-1]})
    return changed
