"""The console's own JSON endpoints."""

from django.http import JsonResponse
from django.views.decorators.http import require_GET

from console.errors import ERR_SIGN_IN, api_error


@require_GET
def me(request):
    """GET /api/v1/me: who is signed in (also the baseline of the submission benchmark)."""
    if not request.user.is_authenticated:
        return api_error(401, "not_authenticated", ERR_SIGN_IN)
    return JsonResponse({"email": request.user.email})
