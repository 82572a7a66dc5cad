"""The API keys page, under an organization's settings."""

from django.urls import path

from . import views

app_name = "api_keys"

urlpatterns = [
    path("<slug:slug>/settings/api-keys/", views.api_keys, name="list"),
    path("<slug:slug>/settings/api-keys/<int:key_id>/revoke/", views.revoke_api_key, name="revoke"),
]
