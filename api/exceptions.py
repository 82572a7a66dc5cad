"""The one exception the Admin API raises to refuse a request."""


class ApiError(Exception):
    """A refusal to answer as ``{"error": code, "detail": detail}`` with this status (and headers)."""

    def __init__(self, status, code, detail, headers=None):
        super().__init__(detail)
        self.status, self.code, self.detail, self.headers = status, code, detail, headers or {}
