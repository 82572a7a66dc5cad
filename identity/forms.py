"""Forms of the identity page, the invitations, the SSO start page and the password sign-in under enforced SSO."""

from django import forms
from django.contrib.auth import password_validation

from console.addresses import MAX_EMAIL_LENGTH, clean_new_email
from console.forms import SignInForm as ConsoleSignInForm
from console.models import User
from orgs.roles import role_label, roles_for_kind

from . import permissions
from .backends import ERR_SSO_REQUIRED
from .models import Protocol
from .selectors import get_password_gate

ERR_EMAIL = "Enter your work e-mail address, such as name@example.com."


class SignInForm(ConsoleSignInForm):
    """The console's password sign-in (the address in its normal form); under enforced SSO it says to use single sign-on instead.

    The message depends on the address's domain only, never on whether an account exists.
    """

    def clean(self):
        try:
            return super().clean()
        except forms.ValidationError:
            if get_password_gate(self.cleaned_data.get("username") or ""):
                raise forms.ValidationError(ERR_SSO_REQUIRED, code="sso_required") from None
            raise


class SSOStartForm(forms.Form):
    email = forms.EmailField(label="Work e-mail address", max_length=254, error_messages={"invalid": ERR_EMAIL})


class DomainForm(forms.Form):
    domain = forms.CharField(label="Domain", max_length=253, help_text="For example example.com: every address @example.com.")


def _role_choices(organization):
    return [(role.value, role_label(organization.kind, role)) for role in permissions.provisioned_roles(organization.kind)]


class SSOForm(forms.Form):
    """The organization's identity provider: OpenID Connect (issuer, client) or SAML (metadata)."""

    protocol = forms.ChoiceField(label="Protocol", choices=Protocol.choices, widget=forms.RadioSelect)
    issuer = forms.URLField(label="Issuer", max_length=500, required=False, assume_scheme="https",
                            help_text="OpenID Connect: the issuer URL, e.g. https://example.okta.com.")
    client_id = forms.CharField(label="Client ID", max_length=255, required=False)
    client_secret = forms.CharField(
        label="Client secret", max_length=1000, required=False, strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="Stored encrypted; leave empty to keep the stored one.",
    )
    idp_metadata_xml = forms.CharField(label="IdP metadata XML", required=False, max_length=500_000,
                                       widget=forms.Textarea(attrs={"rows": 4}))
    idp_metadata_url = forms.URLField(label="or IdP metadata URL", max_length=500, required=False, assume_scheme="https")
    jit_role = forms.ChoiceField(label="Role at first sign-in", required=False)

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["jit_role"].choices = _role_choices(organization)
        self.fields["jit_role"].help_text = "People who sign in for the first time join with this role (at most Admin)."


class EnforceForm(forms.Form):
    enforced = forms.BooleanField(label="Require single sign-on", required=False)


class BreakGlassForm(forms.Form):
    break_glass = forms.TypedChoiceField(label="Break-glass account", coerce=int)

    def __init__(self, *args, deciders, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["break_glass"].choices = [(m.pk, m.user.email) for m in deciders]


class TokenForm(forms.Form):
    name = forms.CharField(label="Token name", max_length=100, help_text="For example “Okta” or “Entra ID”.")


class GroupRoleForm(forms.Form):
    role = forms.ChoiceField(label="Role", required=False)

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", "No role (ignored)"), *_role_choices(organization)]


class InvitationForm(forms.Form):
    """Invite a person by e-mail, with one of the roles of the organization's kind."""

    email = forms.CharField(label="E-mail address", max_length=MAX_EMAIL_LENGTH)
    role = forms.ChoiceField(label="Role")

    def __init__(self, *args, organization, grantable, **kwargs):
        super().__init__(*args, **kwargs)
        kind = organization.kind
        # Any role of the kind is well-formed; whether this person may give it is the service's answer.
        self.fields["role"].choices = [(r.value, role_label(kind, r)) for r in roles_for_kind(kind)]
        self.grantable = [(r.value, role_label(kind, r)) for r in roles_for_kind(kind) if r in grantable]
        if grantable and not self.is_bound:
            self.initial.setdefault("role", self.grantable[-1][0])

    def clean_email(self):
        """The address in its normal form; look-alikes and addresses our mail cannot reach are refused."""
        return clean_new_email(self.cleaned_data["email"])


class JoinForm(forms.Form):
    """A new account for the invited address: an optional name and a password Django's validators accept."""

    full_name = forms.CharField(label="Your name", max_length=150, required=False)
    password1 = forms.CharField(label="Password", strip=False, widget=forms.PasswordInput)
    password2 = forms.CharField(label="Password again", strip=False, widget=forms.PasswordInput)

    def __init__(self, *args, email, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean_password2(self):
        first, second = self.cleaned_data.get("password1"), self.cleaned_data["password2"]
        if first and first != second:
            raise forms.ValidationError("The two passwords differ.")
        return second

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("password1")
        if password and not self.has_error("password2"):
            person = User(email=self.email, full_name=cleaned.get("full_name", ""))
            try:
                password_validation.validate_password(password, person)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned
