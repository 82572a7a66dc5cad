"""The Audit log's filter."""

from django import forms

from console.addresses import normalize_email

from .actions import action_choices

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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", "All actions"), *action_choices()]
        self.fields["action"].error_messages["invalid_choice"] = ERR_UNKNOWN_ACTION.replace("{value}", "%(value)s")

    def clean_person(self):
        person = self.cleaned_data["person"].strip()
        return normalize_email(person) if person else ""

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", ERR_DATE_ORDER)
        return cleaned

    @property
    def is_filtered(self):
        return self.is_valid() and any(self.cleaned_data.values())
