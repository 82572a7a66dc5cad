from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "Admin API"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from audit.actions import register_words
        from orgs.navigation import register_settings_link
        from orgs.permissions import can_manage_api_keys

        from .models import Scope

        # The organization's Settings navigation links to the keys page for those who manage keys.
        register_settings_link("api-keys", "API keys", "api_keys:list", can_manage_api_keys)
        # The audit log reads a key's scopes in words.
        register_words("scope", lambda organization, value: Scope(value).label if value in Scope.values else None)
