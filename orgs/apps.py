from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "orgs"
    verbose_name = "Organizations"

    def ready(self):
        # The mail senders of the outbox register on import; the audit log reads roles, kinds and
        # plans in the words this app gives them.
        from audit.actions import register_words

        from . import notices  # noqa: F401
        from .roles import OrgKind, Plan, is_role_valid_for_kind, role_label

        def role_words(organization, value):
            kind = getattr(organization, "kind", None)
            return role_label(kind, value) if kind and is_role_valid_for_kind(kind, value) else None

        register_words("role", role_words)
        register_words("kind", lambda organization, value: OrgKind(value).label if value in OrgKind.values else None)
        register_words("plan", lambda organization, value: Plan(value).label if value in Plan.values else None)
