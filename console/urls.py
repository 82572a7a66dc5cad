"""Top-level URLs."""

from django.contrib import admin
from django.urls import include, path

from api.urls import api_v1
from identity.forms import SignInForm
from orgs import views as orgs_views
from orgs.demo import demo_sign_ins

from . import views

urlpatterns = [
    path("", orgs_views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("accounts/login/", views.SignInView.as_view(authentication_form=SignInForm, demo_accounts=demo_sign_ins), name="login"),
    path("accounts/logout/", views.SignOutView.as_view(), name="logout"),
    path("orgs/", include("orgs.urls")),
    path("", include("identity.urls")),
    path("scim/v2/", include("identity.scim.urls")),
    path("orgs/", include("feedback.urls")),
    path("orgs/", include("api.page_urls")),
    path("api/v1/", api_v1),
    path("admin/", admin.site.urls),
]

# Pages answer Django's HTML error pages; everything under /api/ answers JSON (console/errors.py, console/outage.py).
handler400 = "console.errors.bad_request"
handler403 = "console.errors.permission_denied"
handler404 = "console.errors.page_not_found"
handler500 = "console.outage.server_error"

admin.site.site_header = "Data Management Console — staff"
admin.site.site_title = "Data Management Console staff"
