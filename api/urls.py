"""/api/v1/: ninja's endpoints, the OpenAPI document and its docs page."""

from django.urls import path

from . import views
from .auth import session_csrf_first
from .endpoints.session import CSRF_CHECKED_IN_VIEW
from .v1 import api


def _patterns():
    patterns, _, namespace = api.urls
    for pattern in patterns:
        if pattern.name not in CSRF_CHECKED_IN_VIEW:
            pattern.callback = session_csrf_first(pattern.callback)
    return [
        *patterns,
        path("openapi.json", views.openapi_document, name="openapi"),
        path("docs/", views.api_docs, name="docs"),
    ], namespace


urlpatterns, namespace = _patterns()
api_v1 = (urlpatterns, "api", namespace)
