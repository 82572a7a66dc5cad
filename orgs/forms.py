"""Forms of the organization pages."""

from django import forms

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
