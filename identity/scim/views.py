"""SCIM 2.0 endpoints under /scim/v2/: a bearer token names the organization; every error is a SCIM error body."""

import json
import logging
from functools import wraps

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from .. import crypto, throttle
from ..audit import RequestMeta
from ..models import SCIMGroup, SCIMToken, SCIMUser
from . import protocol, services
from .protocol import SCIMError, not_found

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 1_000_000
LAST_USE_PRECISION_SECONDS = 60
USER_FILTERS = {"username": "email", "externalid": "scim_records__external_id", "id": "pk"}
GROUP_FILTERS = {"displayname": "display_name", "externalid": "external_id", "id": "pk", "members": "members__pk"}


def _json(body, status=200, headers=None):
    response = JsonResponse(body, status=status, content_type=protocol.CONTENT_TYPE, json_dumps_params={"ensure_ascii": False})
    for key, value in (headers or {}).items():
        response[key] = value
    return response


def error_response(error, headers=None):
    return _json(error.body(), status=error.status, headers=headers)


def scim_error_answer(status, detail):
    """A SCIM error body for an error answered before any SCIM view runs (console.errors)."""
    return error_response(protocol.SCIMError(status, detail, "invalidValue" if status == 400 else ""))


def authenticate(request):
    """The active token the request carries, or SCIMError 401 (the same answer whatever is wrong with it)."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    refused = SCIMError(401, "Send an active SCIM token as Authorization: Bearer <token>.")
    if scheme.lower() != "bearer" or not crypto.is_well_formed_scim_token(token):
        raise refused
    record = (
        SCIMToken.objects.select_related("organization")
        .filter(token_hash=crypto.hash_scim_token(token), revoked_at=None).first()
    )
    if record is None or not crypto.hashes_match(record.token_hash, token):
        raise refused
    now = timezone.now()
    if record.last_used_at is None or (now - record.last_used_at).total_seconds() > LAST_USE_PRECISION_SECONDS:
        SCIMToken.objects.filter(pk=record.pk).update(last_used_at=now)
    return record


def _body(request):
    if len(request.body) > MAX_BODY_BYTES:
        raise SCIMError(413, "The request body is too large.", "invalidValue")
    try:
        return json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise SCIMError(400, "The body is not JSON.", "invalidSyntax") from error


def scim_endpoint(methods):
    """Authenticate the token, throttle its organization, answer the allowed methods and turn every
    refusal into a SCIM error body."""

    def decorator(view):
        @csrf_exempt
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            try:
                token = authenticate(request)
                if not throttle.allow("scim", token.organization_id, settings.SCIM_REQUESTS_PER_MINUTE):
                    error = SCIMError(429, "Too many SCIM requests for this organization: wait a minute.")
                    return error_response(error, {"Retry-After": str(throttle.retry_after())})
                if request.method not in methods:
                    raise SCIMError(405, f"{request.method} is not allowed here.")
                return view(request, token, *args, **kwargs)
            except SCIMError as error:
                return error_response(error)

        return wrapper

    return decorator


def _meta(request):
    return RequestMeta.from_request(request)


def _user_document(token, user):
    org = token.organization
    record = SCIMUser.objects.filter(organization=org, user=user).first()
    active = user.memberships.filter(organization=org).exists()
    groups = list(SCIMGroup.objects.filter(organization=org, members=user))
    return protocol.user_resource(user, record, active, groups)


def _filtered(queryset, terms, organization):
    for field, value in terms:
        if field in ("pk", "members__pk"):
            if not services.is_id(value):
                return queryset.none()
            queryset = queryset.filter(**{field: int(value)})
        elif field == "email":
            queryset = queryset.filter(email=value.strip().lower())  # userName is case-insensitive (RFC 7643 §4.1.1)
        elif field == "scim_records__external_id":
            # The external id this organization's directory gave, never another organization's.
            queryset = queryset.filter(scim_records__organization=organization, scim_records__external_id=value)
        else:
            queryset = queryset.filter(**{field: value})
    return queryset


def _list(request, token, queryset, filters, document):
    """A ListResponse of the resources the filter keeps, paged by startIndex and count."""
    terms = protocol.parse_filter(request.GET.get("filter"), filters)
    found = _filtered(queryset, terms, token.organization).distinct().order_by("pk")
    offset, count = protocol.page_bounds(request.GET)
    page = list(found[offset:offset + count]) if count else []
    return _json(protocol.list_response([document(resource) for resource in page], found.count(), offset))


def _one(request, resource, document, changes):
    """One resource: GET shows it; PUT, PATCH and DELETE call its service (``changes`` by method)."""
    if request.method in changes:
        changes[request.method](_meta(request))
        if request.method == "DELETE":
            return HttpResponse(status=204)
        resource.refresh_from_db()
    return _json(document())


@scim_endpoint(("GET", "POST"))
def users(request, token):
    if request.method == "POST":
        user = services.provision_user(token=token, data=_body(request), request_meta=_meta(request))
        document = _user_document(token, user)
        return _json(document, status=201, headers={"Location": document["meta"]["location"]})
    people = services.users_of(token.organization)
    return _list(request, token, people, USER_FILTERS, lambda user: _user_document(token, user))


@scim_endpoint(("GET", "PUT", "PATCH", "DELETE"))
def user(request, token, user_id):
    person = services.get_user(token.organization, user_id)
    return _one(request, person, lambda: _user_document(token, person), {
        "DELETE": lambda meta: services.delete_user(token=token, user=person, request_meta=meta),
        "PUT": lambda meta: services.replace_user(token=token, user=person, data=_body(request), request_meta=meta),
        "PATCH": lambda meta: services.patch_user(
            token=token, user=person, operations=protocol.patch_operations(_body(request)), request_meta=meta),
    })


def _group_document(group, request):
    excluded = {name.strip().lower() for name in request.GET.get("excludedAttributes", "").split(",")}
    return protocol.group_resource(group, list(group.members.all().order_by("pk")), with_members="members" not in excluded)


@scim_endpoint(("GET", "POST"))
def groups(request, token):
    if request.method == "POST":
        group = services.create_group(token=token, data=_body(request), request_meta=_meta(request))
        document = _group_document(group, request)
        return _json(document, status=201, headers={"Location": document["meta"]["location"]})
    found = SCIMGroup.objects.filter(organization=token.organization)
    return _list(request, token, found, GROUP_FILTERS, lambda group: _group_document(group, request))


@scim_endpoint(("GET", "PUT", "PATCH", "DELETE"))
def group(request, token, group_id):
    found = services.get_group(token.organization, group_id)
    return _one(request, found, lambda: _group_document(found, request), {
        "DELETE": lambda meta: services.delete_group(token=token, group=found, request_meta=meta),
        "PUT": lambda meta: services.replace_group(token=token, group=found, data=_body(request), request_meta=meta),
        "PATCH": lambda meta: services.patch_group(
            token=token, group=found, operations=protocol.patch_operations(_body(request)), request_meta=meta),
    })


@scim_endpoint(("GET",))
def service_provider_config(request, token):
    return _json(protocol.service_provider_config())


@scim_endpoint(("GET",))
def resource_types(request, token):
    items = [protocol.resource_type_resource(name) for name in protocol.RESOURCE_TYPES]
    return _json(protocol.list_response(items, len(items), 0))


@scim_endpoint(("GET",))
def resource_type(request, token, name):
    if name not in protocol.RESOURCE_TYPES:
        raise not_found("resource type")
    return _json(protocol.resource_type_resource(name))


@scim_endpoint(("GET",))
def schemas(request, token):
    items = [protocol.schema_resource(schema_id) for schema_id in protocol.SCHEMAS]
    return _json(protocol.list_response(items, len(items), 0))


@scim_endpoint(("GET",))
def schema(request, token, schema_id):
    if schema_id not in protocol.SCHEMAS:
        raise not_found("schema")
    return _json(protocol.schema_resource(schema_id))


@csrf_exempt
def unknown(request, path=""):
    """Anything else under /scim/v2/: a SCIM 404 (401 first without a token, as everywhere)."""
    try:
        authenticate(request)
    except SCIMError as error:
        return error_response(error)
    return error_response(not_found("endpoint"))
