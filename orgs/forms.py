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


class RoleForm(forms.Form):
    """A new role for one member, among the roles of the organization's kind."""

    role = forms.ChoiceField(label="Role")

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        kind = organization.kind
        self.fields["role"].choices = [(r.value, role_label(kind, r)) for r in roles_for_kind(kind)]


class AuditFilterForm(forms.Form):
    """Narrow the audit log to one action."""

    action = forms.ChoiceField(label="Action", required=False)

    def __init__(self, *args, actions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", "All actions")] + [(a, a) for a in actions]
