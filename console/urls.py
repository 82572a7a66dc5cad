"""Top-level URLs."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from api.urls import api_v1
from orgs import invitation_views
from orgs import views as orgs_views

from . import views

urlpatterns = [
    path("", orgs_views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("invitations/<str:token>/", invitation_views.invitation, name="invitation"),
    path("orgs/", include("orgs.urls")),
    path("orgs/", include("feedback.urls")),
    path("orgs/", include("api.page_urls")),
    path("api/v1/", api_v1),
    path("admin/", admin.site.urls),
]

# Pages answer Django's HTML error pages; everything under /api/ answers JSON (console/errors.py).
handler400 = "console.errors.bad_request"
handler403 = "console.errors.permission_denied"
handler404 = "console.errors.page_not_found"
handler500 = "console.errors.server_error"

admin.site.site_header = "Data Management Console — staff"
admin.site.site_title = "Data Management Console staff"
