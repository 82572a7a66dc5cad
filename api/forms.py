"""The API keys page's form."""

from datetime import timedelta

from django import forms
from django.utils import timezone

from .models import Scope

# The lifetimes offered, in days ("" = no expiry); a year at most (api.services.MAX_LIFETIME).
EXPIRY_CHOICES = [("30", "30 days"), ("90", "90 days"), ("365", "1 year"), ("", "No expiry")]
SCOPE_CHOICES = [("read", "Read: settings, members, invitations, audit events, report counts"),
                 ("write", "Read and write: also change settings, roles and invitations")]


class ApiKeyForm(forms.Form):
    """A new key: its name, what it may do, and when it expires."""

    name = forms.CharField(label="Name", max_length=100, help_text="Say what uses it, e.g. “SIEM export”.")
    access = forms.ChoiceField(label="Access", choices=SCOPE_CHOICES, initial="read", widget=forms.RadioSelect)
    expires_in = forms.ChoiceField(label="Expires after", choices=EXPIRY_CHOICES, initial="90", required=False)

    @property
    def scopes(self):
        return [Scope.READ, Scope.WRITE] if self.cleaned_data["access"] == "write" else [Scope.READ]

    @property
    def expires_at(self):
        days = self.cleaned_data["expires_in"]
        return timezone.now() + timedelta(days=int(days)) if days else None
