from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "identity"
    verbose_name = "Identity"

    def ready(self):
        from console.errors import register_error_answer
        from orgs.navigation import register_settings_link

        from . import permissions
        from .scim.views import scim_error_answer

        # The organization's Settings navigation links to the identity page for those who may open it.
        register_settings_link("identity", "Identity", "identity:page", permissions.can_open_identity_page)
        # Input refused before any view (a NUL in the query string) still answers SCIM's error body.
        register_error_answer("/scim/", scim_error_answer)
