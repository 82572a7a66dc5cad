"""The console shell's own endpoints: sign-in and sign-out pages, the health check and the favicon."""

from django.conf import settings
from django.contrib.auth.views import LoginView, LogoutView
from django.http import JsonResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .health import cache_fail_open, check_broker, check_database


class SignInView(LoginView):
    """Django's sign-in page; in development (DEBUG) it also names the demo accounts."""

    redirect_authenticated_user = True
    # A function giving [(e-mail, what the account is)], given by the root URLs (the demo data is the orgs app's).
    demo_accounts = None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if settings.DEBUG and self.demo_accounts is not None:
            context.update(demo_accounts=self.demo_accounts(), demo_password=settings.DEMO_PASSWORD)
        return context


class SignOutView(LogoutView):
    """Signing out is a POST (Django's); a GET, such as a typed or bookmarked address, gets a page with the button."""

    http_method_names = ["get", "post", "options"]
    template_name = "registration/sign_out.html"

    def get(self, request, *args, **kwargs):
        return self.render_to_response({})


@never_cache
@require_GET
def healthz(request):
    """200 when the database and the broker answer; 503 naming the part that does not.

    ``rate_limit`` tells whether the rate limit is failing open (cache unreachable) and how many
    reports this process let through unlimited; it does not change the status: no report is lost.
    """
    db_ok, db_error = check_database()
    broker_ok, broker_error = check_broker()
    body = {
        "status": "ok" if db_ok and broker_ok else "unavailable",
        "database": {"ok": db_ok, **({"error": db_error} if db_error else {})},
        "broker": {"ok": broker_ok, **({"error": broker_error} if broker_error else {})},
        "rate_limit": cache_fail_open.detail(),
    }
    return JsonResponse(body, status=200 if db_ok and broker_ok else 503)


@require_GET
def favicon(request):
    """/favicon.ico, which browsers and tools ask for whatever the page links, is the static icon."""
    return redirect(static("favicon.ico"), permanent=True)
