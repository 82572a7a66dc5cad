"""Forms of the identity page, the SSO start page and the password sign-in under enforced SSO."""

from django import forms

from console.forms import SignInForm as ConsoleSignInForm
from orgs.roles import role_label

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
