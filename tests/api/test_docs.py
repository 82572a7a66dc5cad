"""docs/api.md's Python example pages through a real server's audit events; the docs page renders the document."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import transaction

from audit import actions
from audit.services import record_audit_event

ROOT = Path(__file__).resolve().parents[2]


def python_example():
    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    return re.search(r"```python\n(.*?)```", text, re.DOTALL).group(1)


def test_the_example_is_about_thirty_lines():
    assert len(python_example().splitlines()) <= 35


@pytest.mark.django_db(transaction=True)
def test_the_python_example_prints_every_audit_event_across_pages(live_server, claude_members, make_key, settings):
    settings.API_KEY_RATE_LIMIT_PER_MINUTE = 1000
    org = claude_members["owner"].organization
    key = make_key(claude_members["owner"])
    with transaction.atomic():
        for i in range(130):  # one target each, so every printed line is distinct
            record_audit_event(organization=org, actor=None, action=actions.ROLE_CHANGED,
                               target=f"member:p{i}@example.test", old="member", new="admin")
    env = {**os.environ, "CONSOLE": live_server.url, "DMC_ADMIN_KEY": key}
    result = subprocess.run([sys.executable, "-c", python_example(), "claude-ent", "member.role.changed"],
                            env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 130 and len(set(lines)) == 130
    assert all("\tmember.role.changed\t" in line for line in lines)


@pytest.mark.django_db
def test_the_docs_page_lists_every_operation_without_scripts(client):
    page = client.get("/api/v1/docs/").content.decode()
    for path in ("/api/v1/orgs/{slug}/feedback", "/api/v1/orgs/{slug}/members/{member_id}", "/api/v1/orgs/{slug}/audit-events"):
        assert path in page
    assert "<script" not in page.split("</footer>")[0].split("<main")[1] and "https://" not in page
