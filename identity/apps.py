from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "identity"
    verbose_name = "Identity"

    def ready(self):
        from audit.actions import register_words
        from console.errors import register_error_answer
        from orgs.navigation import register_settings_link

        from . import permissions
        from .models import Protocol
        from .scim.views import scim_error_answer

        # The audit log reads an SSO connection's protocol in words.
        register_words("protocol", lambda organization, value: Protocol(value).label if value in Protocol.values else None)

        # The organization's Settings navigation links to the identity page for those who may open it.
        register_settings_link("identity", "Identity", "identity:page", permissions.can_open_identity_page)
        # Input refused before any view (a NUL in the query string) still answers SCIM's error body.
        register_error_answer("/scim/", scim_error_answer)
