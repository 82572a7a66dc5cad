"""Top-level URLs."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from orgs import api as orgs_api

from . import api, views

api_v1 = [
    path("me", api.me, name="me"),
    path("orgs/<slug:slug>/settings", orgs_api.org_settings, name="org-settings"),
    path("", include("feedback.api_urls")),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("orgs/", include("orgs.urls")),
    path("orgs/", include("feedback.urls")),
    path("api/v1/", include((api_v1, "api"))),
    path("admin/", admin.site.urls),
]

admin.site.site_header = "Data Management Console — staff"
admin.site.site_title = "Data Management Console staff"
