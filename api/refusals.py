"""Every refusal the API answers carries a stable code and status: those of the rule's Refusal.

The services raise a rule's refusal (orgs.services.ServiceError holding a console.refusals.Refusal);
its ``code`` is the error code and its ``kind`` the status (403 who asks, 409 the present state,
400 a value that does not exist here), so rewording a message changes neither.
"""

from console.refusals import STATUS_BY_KIND, code_of, kind_of

from .exceptions import ApiError


def refusal(error):
    """The API's answer to a service's refusal (an orgs.services.ServiceError) or a rule's Refusal."""
    message = getattr(error, "message", error)
    return ApiError(STATUS_BY_KIND[kind_of(message)], code_of(message), message)
