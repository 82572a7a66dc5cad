"""SCIM 2.0 (RFC 7643/7644) on the wire: errors, filters, PATCH operations and resource documents.

Filters are parsed by scim2-filter-parser; only ``eq`` on the attributes below (joined by ``and``)
is answered, anything else is a 400 ``invalidFilter``. PATCH accepts what Okta and Entra ID send:
``op`` in any case, with or without ``path``, values as booleans or as "True"/"False" strings.
"""

from django.conf import settings
from django.urls import reverse
from scim2_filter_parser.lexer import SCIMLexer
from scim2_filter_parser.parser import SCIMParser, SCIMParserError

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE_USER_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"
CONTENT_TYPE = "application/scim+json"
MAX_RESULTS = 200
MAX_OPERATIONS = 100


class SCIMError(Exception):
    """A SCIM error response: HTTP status, the RFC 7644 scimType (or ""), and a detail for people."""

    def __init__(self, status, detail, scim_type=""):
        super().__init__(detail)
        self.status, self.detail, self.scim_type = status, detail, scim_type

    def body(self):
        body = {"schemas": [ERROR_SCHEMA], "status": str(self.status), "detail": self.detail}
        if self.scim_type:
            body["scimType"] = self.scim_type
        return body


def not_found(what="resource"):
    return SCIMError(404, f"No such {what}.")


# Filters


def parse_filter(text, attributes):
    """The filter as a list of (attribute, value) that must all hold; ``attributes`` maps the allowed
    names (lower case) to ours. Raises SCIMError 400 invalidFilter for anything else."""
    if text is None or text == "":
        return []
    if not isinstance(text, str) or len(text) > 1000 or "\x00" in text or not _encodable(text):
        raise SCIMError(400, "The filter could not be read.", "invalidFilter")
    try:
        tree = SCIMParser().parse(SCIMLexer().tokenize(text))
    except (SCIMParserError, Exception) as error:  # sly raises its own kinds for bad characters too
        raise SCIMError(400, "The filter could not be read.", "invalidFilter") from error
    terms = []
    _collect(tree, attributes, terms)
    return terms


def _collect(node, attributes, terms):
    kind = type(node).__name__
    if kind == "Filter" and not node.negated and node.namespace is None:
        return _collect(node.expr, attributes, terms)
    if kind == "LogExpr" and node.op.lower() == "and":
        _collect(node.expr1, attributes, terms)
        return _collect(node.expr2, attributes, terms)
    if kind == "AttrExpr" and node.value.lower() == "eq" and node.attr_path.sub_attr is None:
        name = node.attr_path.attr_name.lower()
        value = node.comp_value.value
        if name in attributes and isinstance(value, str):
            terms.append((attributes[name], value))
            return None
    raise SCIMError(400, "Only filters of the form attribute eq \"value\" (joined by and) are supported here.", "invalidFilter")


def page_bounds(query):
    """(offset, count) from startIndex (1-based) and count; a value that is not a whole number is a 400."""
    def whole(name, default):
        raw = query.get(name)
        if raw in (None, ""):
            return default
        try:
            return int(raw)
        except (TypeError, ValueError) as error:
            raise SCIMError(400, f"{name} must be a whole number.", "invalidValue") from error

    start = max(whole("startIndex", 1), 1)
    count = min(max(whole("count", MAX_RESULTS), 0), MAX_RESULTS)
    return start - 1, count


def list_response(resources, total, offset):
    return {
        "schemas": [LIST_SCHEMA], "totalResults": total, "startIndex": offset + 1,
        "itemsPerPage": len(resources), "Resources": resources,
    }


# PATCH


def patch_operations(body):
    """The PATCH request's operations as (op, path lower-cased or None, value); a malformed one is a 400."""
    if not isinstance(body, dict) or not isinstance(body.get("Operations"), list):
        raise SCIMError(400, "A PATCH request carries an Operations list.", "invalidSyntax")
    operations = body["Operations"]
    if len(operations) > MAX_OPERATIONS:
        raise SCIMError(400, f"At most {MAX_OPERATIONS} operations per request.", "tooMany")
    result = []
    for operation in operations:
        if not isinstance(operation, dict):
            raise SCIMError(400, "Each operation is an object.", "invalidSyntax")
        op = str(operation.get("op", "")).lower()
        if op not in ("add", "replace", "remove"):
            raise SCIMError(400, "An operation's op is add, replace or remove.", "invalidSyntax")
        path = operation.get("path")
        if path is not None and not isinstance(path, str):
            raise SCIMError(400, "An operation's path is a string.", "invalidPath")
        value = operation.get("value")
        if path is None:
            if op == "remove" or not isinstance(value, dict):
                raise SCIMError(400, "An operation without a path carries an object of attributes.", "noTarget")
            result.extend((op, key.lower(), item) for key, item in value.items())
        else:
            result.append((op, strip_schema(path).lower() if "[" not in path else path.strip(), value))
    return result


def strip_schema(path):
    """An attribute path without its core schema URN prefix (extension URNs are kept)."""
    for schema in (USER_SCHEMA, GROUP_SCHEMA):
        if path.startswith(schema + ":"):
            return path[len(schema) + 1:]
    return path


def boolean(value):
    """A SCIM boolean, also as Entra ID sends it ("True", "False")."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise SCIMError(400, "active is true or false.", "invalidValue")


def text(value, name, *, max_length=255):
    """A string attribute's value (None and "" clear it); anything else, or a NUL, is a 400."""
    if value is None:
        return ""
    if not isinstance(value, str) or "\x00" in value or len(value) > max_length or not _encodable(value):
        raise SCIMError(400, f"{name} is a string of at most {max_length} characters.", "invalidValue")
    return value.strip()


def _encodable(value):
    # A lone surrogate ("\ud800" in the JSON) cannot be stored: refused here rather than by the database.
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


# Resources


def location(kind, pk):
    return settings.SITE_URL + reverse(f"scim:{kind}", args=[str(pk)])


def _time(value):
    return value.isoformat().replace("+00:00", "Z") if value else None


def user_resource(user, record, active, groups):
    """A person as a SCIM User (their id in this organization is their account's id)."""
    given = record.given_name if record else ""
    family = record.family_name if record else ""
    resource = {
        "schemas": [USER_SCHEMA],
        "id": str(user.pk),
        "userName": user.email,
        "name": {"formatted": user.full_name, "givenName": given, "familyName": family},
        "displayName": user.full_name or user.email,
        "emails": [{"value": user.email, "type": "work", "primary": True}],
        "active": active,
        "groups": [{"value": str(group.pk), "display": group.display_name, "$ref": location("group", group.pk)}
                   for group in groups],
        "meta": {
            "resourceType": "User",
            "created": _time(record.created_at if record else user.date_joined),
            "lastModified": _time(record.updated_at if record else user.date_joined),
            "location": location("user", user.pk),
        },
    }
    if record and record.external_id:
        resource["externalId"] = record.external_id
    return resource


def group_resource(group, members, *, with_members=True):
    resource = {
        "schemas": [GROUP_SCHEMA],
        "id": str(group.pk),
        "displayName": group.display_name,
        "meta": {
            "resourceType": "Group", "created": _time(group.created_at), "lastModified": _time(group.updated_at),
            "location": location("group", group.pk),
        },
    }
    if with_members:
        resource["members"] = [
            {"value": str(user.pk), "display": user.email, "$ref": location("user", user.pk)} for user in members
        ]
    if group.external_id:
        resource["externalId"] = group.external_id
    return resource


def service_provider_config():
    return {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
        "documentationUri": settings.SITE_URL + "/",
        "patch": {"supported": True},
        "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": True, "maxResults": MAX_RESULTS},
        "changePassword": {"supported": False},
        "sort": {"supported": False},
        "etag": {"supported": False},
        "authenticationSchemes": [{
            "type": "oauthbearertoken", "name": "Bearer token", "primary": True,
            "description": "A SCIM token from the organization's identity page (dmc_scim_…).",
        }],
        "meta": {"resourceType": "ServiceProviderConfig", "location": settings.SITE_URL + reverse("scim:config")},
    }


def _attribute(name, type_="string", *, required=False, multi=False, mutability="readWrite", unique="none", sub=None,
               case_exact=False):
    attribute = {
        "name": name, "type": type_, "multiValued": multi, "required": required, "caseExact": case_exact,
        "mutability": mutability, "returned": "default", "uniqueness": unique,
    }
    if sub:
        attribute["subAttributes"] = sub
    return attribute


SCHEMAS = {
    USER_SCHEMA: {
        "id": USER_SCHEMA, "name": "User", "description": "A person in the organization",
        "attributes": [
            _attribute("userName", required=True, unique="server"),
            _attribute("name", "complex", sub=[_attribute("formatted"), _attribute("givenName"), _attribute("familyName")]),
            _attribute("displayName"),
            _attribute("emails", "complex", multi=True, mutability="readOnly",
                       sub=[_attribute("value"), _attribute("type"), _attribute("primary", "boolean")]),
            _attribute("active", "boolean"),
            _attribute("groups", "complex", multi=True, mutability="readOnly",
                       sub=[_attribute("value"), _attribute("display")]),
            _attribute("externalId", case_exact=True),
        ],
    },
    GROUP_SCHEMA: {
        "id": GROUP_SCHEMA, "name": "Group", "description": "A directory group; the organization maps it to a role",
        "attributes": [
            _attribute("displayName", required=True, unique="server"),
            _attribute("members", "complex", multi=True, sub=[_attribute("value"), _attribute("display")]),
            _attribute("externalId", case_exact=True),
        ],
    },
}

RESOURCE_TYPES = {
    "User": {"id": "User", "name": "User", "endpoint": "/Users", "schema": USER_SCHEMA},
    "Group": {"id": "Group", "name": "Group", "endpoint": "/Groups", "schema": GROUP_SCHEMA},
}


def schema_resource(schema_id):
    schema = SCHEMAS[schema_id]
    return {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"], **schema,
            "meta": {"resourceType": "Schema", "location": settings.SITE_URL + reverse("scim:schema", args=[schema_id])}}


def resource_type_resource(name):
    return {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"], **RESOURCE_TYPES[name],
            "meta": {"resourceType": "ResourceType",
                     "location": settings.SITE_URL + reverse("scim:resource-type", args=[name])}}
