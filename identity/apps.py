from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "identity"
    verbose_name = "Identity"

    def ready(self):
        from audit.actions import register_words
        from console.errors import register_error_answer
        from orgs.navigation import register_settings_link
        from orgs.views import register_members_page_section

        from . import invitations, permissions  # noqa: F401 - the invitation mail's outbox sender registers on import
        from .invitation_views import MEMBERS_SECTION, members_page_section
        from .models import Protocol
        from .scim.views import scim_error_answer

        # The audit log reads an SSO connection's protocol in words.
        register_words("protocol", lambda organization, value: Protocol(value).label if value in Protocol.values else None)

        # The organization's Settings navigation links to the identity page for those who may open it.
        register_settings_link("identity", "Identity", "identity:page", permissions.can_open_identity_page)
        # The Members page shows the invitation form and the open invitations to those who may invite.
        register_members_page_section(MEMBERS_SECTION, members_page_section)
        # Input refused before any view (a NUL in the query string) still answers SCIM's error body.
        register_error_answer("/scim/", scim_error_answer)
