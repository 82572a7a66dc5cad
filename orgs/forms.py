"""Forms of the organization pages."""

from django import forms
from django.contrib.auth import password_validation

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


ERR_UNKNOWN_ACTION = "There is no action “{value}”. Choose one from the list, or All actions."
ERR_DATE_ORDER = "The “to” date is before the “from” date."


class AuditFilterForm(forms.Form):
    """Narrow the audit log by action, person and a range of days (in the viewer's time zone)."""

    action = forms.ChoiceField(label="Action", required=False)
    person = forms.CharField(
        label="Person", required=False, max_length=254,
        help_text="The e-mail address of the person who made the change.",
    )
    date_from = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, actions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", "All actions"), *actions]
        self.fields["action"].error_messages["invalid_choice"] = ERR_UNKNOWN_ACTION.replace("{value}", "%(value)s")

    def clean_person(self):
        return self.cleaned_data["person"].strip()

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", ERR_DATE_ORDER)
        return cleaned

    @property
    def is_filtered(self):
        return self.is_valid() and any(self.cleaned_data.values())


class InvitationForm(forms.Form):
    """Invite a person by e-mail, with one of the roles of the organization's kind."""

    email = forms.EmailField(label="E-mail address", max_length=254)
    role = forms.ChoiceField(label="Role")

    def __init__(self, *args, organization, grantable, **kwargs):
        super().__init__(*args, **kwargs)
        kind = organization.kind
        # Any role of the kind is well-formed; whether this person may give it is the service's answer.
        self.fields["role"].choices = [(r.value, role_label(kind, r)) for r in roles_for_kind(kind)]
        self.grantable = [(r.value, role_label(kind, r)) for r in roles_for_kind(kind) if r in grantable]
        if grantable and not self.is_bound:
            self.initial.setdefault("role", self.grantable[-1][0])


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
