"""The JSON API under /api/v1/ (django-ninja): its endpoints, errors and generated OpenAPI document."""

import functools

from ninja import NinjaAPI

from .endpoints import org, session
from .errors import install_error_handlers
from .openapi import complete_document
from .transport import JsonBodyParser

DESCRIPTION = (
    "The console's JSON API. The Admin API (settings, members, invitations, audit events, report counts) "
    "takes an organization key, made on Settings → API keys, in the `x-api-key` header (or as "
    "`Authorization: Bearer`). The session endpoints take the console's session cookie; send the `csrftoken` "
    "cookie's value in the `X-CSRFToken` header with every POST. Lists are cursor pages: `limit`, `after_id` / "
    "`before_id`; `data`, `has_more`, `first_id`, `last_id`. Every error is JSON `{\"error\": code, \"detail\": …}`."
)


class ConsoleApi(NinjaAPI):
    """ninja's API whose document also describes what the endpoints validate themselves."""

    @functools.cache  # noqa: B019 - one API object per process; the document depends only on code
    def document(self):
        """The whole OpenAPI document, as /api/v1/openapi.json serves it."""
        return complete_document(self.get_openapi_schema(path_prefix="/api/v1/"))


api = ConsoleApi(
    title="Data Management Console API", version="1", description=DESCRIPTION, urls_namespace="api",
    openapi_url=None, docs_url=None, parser=JsonBodyParser(),
)
install_error_handlers(api)
api.add_router("", session.router)
api.add_router("", org.router)
