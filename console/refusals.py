"""A refusal: the sentence a person reads, carrying the stable code and the kind that machines read.

Rules answer why they refuse with a ``Refusal`` (a ``str``, so pages, forms and messages show it as
they show any text). Code that decides what a refusal *means* (a 403 or a 409, which form field it
sits beside, which words a form puts instead) compares its ``code`` or its ``kind``, never its
words: rewording a message changes no behaviour.
"""

# Kinds: who asks (the actor's role does not allow it, a 403), a change the actor may never make
# (also a 403), one the present state does not allow (a 409), a value that does not exist here (a 400).
ROLE = "role"
FORBIDDEN = "forbidden"
CONFLICT = "conflict"
INVALID = "invalid"
STATUS_BY_KIND = {ROLE: 403, FORBIDDEN: 403, CONFLICT: 409, INVALID: 400}
UNKNOWN_CODE = "refused"


class Refusal(str):
    """A refusal's message with its ``code`` (snake_case, stable) and ``kind`` (one of the kinds above)."""

    code: str
    kind: str

    def __new__(cls, code, message, kind=FORBIDDEN):
        if kind not in STATUS_BY_KIND:
            raise ValueError(f"unknown refusal kind {kind!r}")
        refusal = super().__new__(cls, message)
        refusal.code, refusal.kind = code, kind
        return refusal

    def format(self, *args, **kwargs):
        """The message with its placeholders filled, still this refusal (same code and kind)."""
        return Refusal(self.code, str.format(self, *args, **kwargs), self.kind)

    def __reduce__(self):
        # Copies (a form's errors are deep-copied) and pickles keep the code and kind. repr() stays
        # str's, so a message written into a migration (a constraint's) is plain text.
        return (Refusal, (self.code, str(self), self.kind))

    @property
    def status(self):
        return STATUS_BY_KIND[self.kind]


def code_of(message):
    """The code of a refusal (``refused`` for plain text that carries none)."""
    return getattr(message, "code", UNKNOWN_CODE)


def kind_of(message):
    """The kind of a refusal (plain text counts as a change the actor may not make)."""
    return getattr(message, "kind", FORBIDDEN)
