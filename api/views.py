"""The API keys page, and the API's OpenAPI document and its readable page."""

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from audit.services import RequestMeta
from orgs.access import org_member_view, render_org_page
from orgs.permissions import why_cannot_manage_api_keys
from orgs.services import NotAllowed, ServiceError

from . import selectors, services
from .auth import KEY_HEADER
from .forms import ApiKeyForm
from .permissions import why_key_cannot_act
from .v1 import api

# API keys page: /orgs/<slug>/settings/api-keys/


def _state(key, now):
    """Revoked, expired, inactive (its maker no longer manages keys) or active: the word the page shows."""
    if key.revoked_at is not None:
        return "revoked"
    if key.is_expired(now):
        return "expired"
    if why_key_cannot_act(key.creator_membership):
        return "inactive"
    return "active"


def _render_keys(request, membership, form, created=None, status=200):
    now = timezone.now()
    rows = [{"key": key, "state": _state(key, now)} for key in selectors.list_keys(membership.organization)]
    context = {"form": form, "created": created, "rows": rows, "key_header": KEY_HEADER}
    return render_org_page(request, membership, "api/keys.html", "api-keys", context, status=status)


@org_member_view(why_cannot_manage_api_keys)
@require_http_methods(["GET", "POST"])
def api_keys(request, membership):
    """The organization's keys, and the form that makes one (shown once, on the answer to the form)."""
    if request.method == "GET":
        return _render_keys(request, membership, ApiKeyForm())
    form = ApiKeyForm(request.POST)
    if not form.is_valid():
        return _render_keys(request, membership, form, status=400)
    try:
        key, text = services.create_api_key(
            actor=request.user, organization=membership.organization, name=form.cleaned_data["name"],
            scopes=form.scopes, expires_at=form.expires_at, request_meta=RequestMeta.from_request(request),
        )
    except NotAllowed as error:
        raise PermissionDenied(error.message) from error
    except ServiceError as error:
        form.add_error(None, error.message)
        return _render_keys(request, membership, form, status=400)
    return _render_keys(request, membership, ApiKeyForm(), created={"key": key, "text": text})


@org_member_view(why_cannot_manage_api_keys)
@require_POST
def revoke_api_key(request, membership, key_id):
    """Revoke a key at once."""
    key = selectors.get_key(membership.organization, key_id)
    if key is None:
        raise Http404("No such key.")
    try:
        changed = services.revoke_api_key(actor=request.user, key=key, request_meta=RequestMeta.from_request(request))
    except NotAllowed as error:
        raise PermissionDenied(error.message) from error
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        if changed:
            messages.success(request, f"The key “{key.name}” ({key.masked}) was revoked: it no longer works.")
        else:
            messages.info(request, f"The key “{key.name}” ({key.masked}) was already revoked.")
    return redirect("api_keys:list", membership.organization.slug)


# The OpenAPI document and the docs page (/api/v1/openapi.json, /api/v1/docs/)


@require_safe
def openapi_document(request):
    """The OpenAPI 3.1 document of every endpoint under /api/v1/, generated from the code."""
    return JsonResponse(api.document(), json_dumps_params={"indent": 2})


def _schema_name(schema):
    ref = (schema or {}).get("$ref", "")
    return ref.rsplit("/", 1)[-1] if ref else ""


def list_operations(document):
    """Each operation of the document as the docs page shows it."""
    operations = []
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            body_content = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
            body = body_content.get("schema")
            operations.append({
                "method": method.upper(), "path": path, "id": operation["operationId"],
                "summary": operation.get("summary", ""), "description": operation.get("description", ""),
                "parameters": [p for p in operation.get("parameters", []) if p["in"] != "path" or p["name"] != "slug"],
                "body": _schema_name(body),
                "example": json.dumps(body_content["example"], indent=2, ensure_ascii=False) if "example" in body_content else "",
                "responses": [
                    {"status": status, "description": response.get("description", ""),
                     "schema": _schema_name(response.get("content", {}).get("application/json", {}).get("schema"))}
                    for status, response in sorted(operation["responses"].items())
                ],
                "security": [name for requirement in operation.get("security", []) for name in requirement],
            })
    return operations


@require_safe
def api_docs(request):
    """A readable page of the API, rendered on the server from the same document (no script, no CDN)."""
    document = api.document()
    schemas = document["components"]["schemas"]
    return render(request, "api/docs.html", {
        "document": document,
        "operations": list_operations(document),
        "schemas": [(name, json.dumps(schema, indent=2)) for name, schema in sorted(schemas.items())],
        "security_schemes": document["components"].get("securitySchemes", {}),
    })
