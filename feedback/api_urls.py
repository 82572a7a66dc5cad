from django.urls import path

from . import api

urlpatterns = [
    path("orgs/<slug:slug>/feedback", api.submit_feedback, name="feedback-submit"),
    path("openapi.json", api.openapi_document, name="openapi"),
    path("docs/", api.api_docs, name="docs"),
]
