from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "identity"
    verbose_name = "Identity"

    def ready(self):
        from orgs.navigation import register_settings_link

        from . import permissions

        # The organization's Settings navigation links to the identity page for those who may open it.
        register_settings_link("identity", "Identity", "identity:page", permissions.can_open_identity_page)
