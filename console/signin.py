"""Sign-in throttling on django-axes: two limits, the 429 sign-in page, the client's address.

Axes compares one count with one limit; the console has two (per account at an address, and a
higher one per address across accounts), so the handler folds them into the count axes compares.
"""

from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.db.models import Sum
from django.shortcuts import render

from .addresses import normalize_email
from .forms import SignInForm

ERR_LOCKED_OUT = (
    "Too many failed sign-in attempts for this account from your network. "
    "Wait {minutes} minutes and try again, or ask your administrator to clear the lock-out."
)


def _failures(attempts):
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


class SignInAttemptHandler(AxesDatabaseHandler):
    """Axes's database handler with the account-at-address limit and the higher address-only one."""

    def get_failures(self, request, credentials=None):
        """Failures of this account at this address, or the account limit once the address is over its own."""
        by_account, by_address = self.get_user_attempts(request, credentials)
        failures = _failures(by_account)
        if _failures(by_address) >= settings.SIGN_IN_ADDRESS_FAILURE_LIMIT:
            return max(failures, settings.AXES_FAILURE_LIMIT)
        return failures

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        """Record a failure; the failure that reaches a limit still answers as a wrong password, the next is refused."""
        refused_before = getattr(request, "axes_locked_out", False)
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is not None and not refused_before:
            request.axes_locked_out = False

    def reset_user_attempts(self, request, credentials=None):
        """A success clears that account's failures at that address, not the address's other accounts."""
        by_account, _ = self.filter_user_attempts(request, credentials)
        count, _ = by_account.delete()
        return count


class SignInThrottleBackend(AxesStandaloneBackend):
    """Axes's lock-out check for sign-ins over HTTP; a check from code (no request) has no address to throttle."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def normalized_username(request, credentials):
    """The e-mail typed, in its normal form: every spelling that is one account is counted as one name."""
    source = credentials if credentials is not None else getattr(request, "POST", {})
    username = source.get(settings.AXES_USERNAME_FORM_FIELD) if source else None
    return normalize_email(username) if isinstance(username, str) else username


def client_address(request):
    """The client's address: REMOTE_ADDR, or the entry TRUSTED_PROXY_COUNT proxies back in X-Forwarded-For."""
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if proxies and len(forwarded) >= proxies:
        # Each trusted proxy appends the address it saw; entries before theirs are the client's say-so.
        return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")


def locked_out(request, original_response=None, credentials=None):
    """429: the sign-in form again, its e-mail kept, with a plain message saying why and for how long."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    form = SignInForm(request, initial={"username": normalized_username(request, credentials)})
    context = {"form": form, "locked_out_message": ERR_LOCKED_OUT.format(minutes=minutes), "next": request.POST.get("next", "")}
    return render(request, "registration/login.html", context, status=429)

