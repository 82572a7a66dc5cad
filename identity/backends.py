"""Enforced single sign-on for passwords: people on the verified domain of an organization enforcing
SSO no longer sign in with a password (console and staff admin alike), except its break-glass account."""

from django.core.exceptions import PermissionDenied

from console.models import User

from .addresses import normalize_email
from .selectors import get_password_gate

ERR_SSO_REQUIRED = (
    "Your organization signs you in through its identity provider: use “Sign in with single sign-on”. "
    "(Its break-glass account still uses a password: check it and try again.)"
)


class EnforcedSingleSignOnBackend:
    """Stops the password check for addresses under enforced SSO, before Django's ModelBackend runs."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        gate = get_password_gate(username)
        if gate is None:
            return None
        break_glass_user_id = gate[1]
        candidate = User.objects.filter(pk=break_glass_user_id).only("email").first() if break_glass_user_id else None
        if candidate is None or candidate.email != normalize_email(username):
            # PermissionDenied stops every later backend: no password is checked for this address.
            raise PermissionDenied(ERR_SSO_REQUIRED)
        return None
