"""Forms of the organization pages."""

from django import forms
from django.contrib.auth import password_validation

from console.addresses import MAX_EMAIL_LENGTH, clean_new_email
from console.models import User

from .roles import role_label, roles_for_kind


class DataSettingForm(forms.Form):
    """One on/off data setting; the checkbox is named after the setting."""

    def __init__(self, *args, field_name, label, **kwargs):
        super().__init__(*args, **kwargs)
        self.field_name = field_name
        self.fields[field_name] = forms.BooleanField(required=False, label=label)

    @property
    def enabled(self):
        return self.cleaned_data[self.field_name]


class ModelTrainingConfirmForm(forms.Form):
    """The confirmation of allowing model training: the terms version the decider was shown."""

    terms_version = forms.CharField(max_length=64)


class RoleForm(forms.Form):
    """A new role for one member, among the roles of the organization's kind."""

    role = forms.ChoiceField(label="Role")
    # Sent by the demotion confirmation: the role the owner saw and confirmed the change from.
    from_role = forms.ChoiceField(required=False)

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        kind = organization.kind
        choices = [(r.value, role_label(kind, r)) for r in roles_for_kind(kind)]
        self.fields["role"].choices = choices
        self.fields["from_role"].choices = [("", "")] + choices


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
