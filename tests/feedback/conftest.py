import copy

import pytest

from feedback.samples import CHAT_SAMPLE, WORKBENCH_SAMPLE


@pytest.fixture
def chat_report():
    """A valid chat report body (a fresh copy each time)."""
    return {"surface": "chat", "rating": "up", "comment": "Helpful.", "conversation": copy.deepcopy(CHAT_SAMPLE)}


@pytest.fixture
def workbench_report():
    return {"surface": "workbench", "rating": "down", "conversation": copy.deepcopy(WORKBENCH_SAMPLE)}


@pytest.fixture
def post_report(client):
    """POST a body to an org's feedback endpoint as JSON."""
    import json

    def _post(slug, body, **extra):
        data = body if isinstance(body, (str, bytes)) else json.dumps(body)
        return client.post(f"/api/v1/orgs/{slug}/feedback", data=data, content_type="application/json", **extra)

    return _post
