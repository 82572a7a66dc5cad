"""The sign-in forms (console and staff admin): the address typed is looked up in its normal form."""

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm

from .addresses import ERR_EMAIL_TOO_LONG, MAX_EMAIL_LENGTH, normalize_email


class NormalAddressMixin:
    """The e-mail typed becomes its normal form before authentication, so the lock-out counts one name per person.

    An address too long to be anyone's is a form error: nothing is looked up or counted.
    """

    def clean_username(self):
        address = normalize_email(self.cleaned_data["username"])
        if len(address) > MAX_EMAIL_LENGTH:
            raise forms.ValidationError(ERR_EMAIL_TOO_LONG, code="max_length")
        return address


class SignInForm(NormalAddressMixin, AuthenticationForm):
    """The console's sign-in form."""


class StaffSignInForm(NormalAddressMixin, AdminAuthenticationForm):
    """The staff admin's sign-in form."""
