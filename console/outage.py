"""A database or broker that went away: 503, JSON under /api/, a plain page elsewhere.

Nothing here touches the database or the cache (they may be what is gone): the page is rendered
without the request's context processors. Django closes a broken database connection at the
end of the request and Celery reconnects on the next send, so service resumes by itself.
"""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.views import defaults
from kombu.exceptions import OperationalError as BrokerError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from .errors import CODE_BY_STATUS, ERR_SERVER, api_error, is_api_request

logger = logging.getLogger(__name__)

# Retry-After on a 503: the seconds a client should wait before trying again.
RETRY_AFTER_SECONDS = 30


# A database that cannot be reached or answered (OperationalError: refused, gone, timed out), a
# connection already closed under us (InterfaceError), a broker or cache Redis that does not answer.
OUTAGE_ERRORS = (OperationalError, InterfaceError, BrokerError, RedisConnectionError, RedisTimeoutError)


def is_outage(exception):
    """Whether an exception means a service is unreachable rather than a bug in our code."""
    if isinstance(exception, OUTAGE_ERRORS):
        return True
    # Celery's Redis result backend wraps a failed reconnect in a RuntimeError; the cause tells.
    return isinstance(exception, RuntimeError) and isinstance(exception.__cause__, OUTAGE_ERRORS)


def outage_response(request, exception):
    """The 503 for an outage, or None for any other exception."""
    if exception is None or not is_outage(exception):
        return None
    logger.error("Service unavailable (%s) for %s %s", type(exception).__name__, request.method, request.path)
    if is_api_request(request):
        response = api_error(503, *CODE_BY_STATUS[503])
    else:
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def server_error(request, template_name=defaults.ERROR_500_TEMPLATE_NAME):
    """500 page, or JSON under /api/ (the exception is already logged by Django); 503 for an outage."""
    # Django calls this inside its except block: an outage met outside a view (loading the
    # session, saving it) is still a 503, like one met inside (console.middleware.OutageMiddleware).
    outage = outage_response(request, sys.exc_info()[1])
    if outage is not None:
        return outage
    if not is_api_request(request):
        return defaults.server_error(request, template_name)
    return api_error(500, "server_error", ERR_SERVER)
