"""Every page under the Content-Security-Policy in real Chromium: no violation reported, in any state."""

import pytest

from tests.browser.states import STATES, State, open_state

# The listener is installed before the page's scripts (init scripts are not subject to its CSP).
LISTEN = """() => {
    window.__cspViolations = [];
    document.addEventListener("securitypolicyviolation", (e) => {
        window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber}`);
    });
}"""
LISTEN_SCRIPT = f"({LISTEN})();"


def _invitation_page():
    from orgs.models import Membership, Organization
    from tests.factories import InvitationFactory

    acme = Organization.objects.get(slug="acme")
    owner = Membership.objects.get(organization=acme, user__email="owner@acme.test")
    return f"/invitations/{InvitationFactory(organization=acme, invited_by=owner.user).token}/"


REPORT_ID = "5b0f3f38-8a3e-4d36-9a8e-3c1c2a3d9f01"


def _one_report():
    from feedback.models import Feedback

    Feedback.objects.create(
        id=REPORT_ID, surface="chat", rating="up", comment="Clear.", message_index=1,
        conversation={"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]},
    )


CHECKED = [
    "sign-in", "sign-in-error", "home", "home-staff", "overview",
    "data-management-owner", "data-management-confirm", "data-management-turned-off",
    "data-management-team-read-only", "privacy-org-admin", "privacy-confirm",
    "members-owner", "members-remove-confirm", "members-role-changed",
    "audit-log", "chat", "chat-dialog-open", "chat-after-submit", "workbench-dialog-open",
    "api-docs", "403-member", "404",
]
EXTRA = {
    "admin-index": State("staff@acme.test", "/admin/"),
    "admin-organizations": State("staff@acme.test", "/admin/orgs/organization/"),
    "admin-organization": State("staff@acme.test", "/admin/orgs/organization/1/change/"),
    "admin-sign-in-attempts": State("staff@acme.test", "/admin/axes/accessattempt/"),
    "admin-feedback": State("staff@acme.test", "/admin/feedback/feedback/", setup=_one_report),
    "admin-feedback-report": State("staff@acme.test", f"/admin/feedback/feedback/{REPORT_ID}/change/", setup=_one_report),
    "admin-staff-accesses": State("staff@acme.test", "/admin/feedback/staffaccess/"),
}


@pytest.fixture
def watched_page(page):
    """The page, with every CSP violation it reports collected (console and securitypolicyviolation)."""
    page.context.add_init_script(script=LISTEN_SCRIPT)
    page.csp_console = []
    page.on("console", lambda message: "Content Security Policy" in message.text and page.csp_console.append(message.text))
    return page


def _violations(page):
    return page.csp_console + page.evaluate("() => window.__cspViolations || []")


@pytest.mark.parametrize("name", CHECKED + list(EXTRA))
def test_page_reports_no_csp_violation(watched_page, sign_in, demo, name):
    state = STATES.get(name) or EXTRA[name]
    if name == "admin-organization":
        from orgs.models import Organization

        state = State(state.who, f"/admin/orgs/organization/{Organization.objects.get(slug='acme').pk}/change/")
    open_state(watched_page, sign_in, demo, state)
    watched_page.wait_for_load_state("load")
    assert watched_page.evaluate("() => document.readyState") == "complete"
    assert not _violations(watched_page), f"{name}: {_violations(watched_page)}"


def test_invitation_page_reports_no_csp_violation(watched_page, demo):
    response = watched_page.goto(_invitation_page())
    assert response.status == 200
    assert "Content-Security-Policy" in {k.title(): v for k, v in response.headers.items()}
    assert not _violations(watched_page)


def test_an_inline_script_is_blocked_and_reported(watched_page, demo):
    """The check above can fail: a script injected inline is refused and seen by both listeners."""
    watched_page.goto("/accounts/login/")
    watched_page.evaluate("""() => {
        const s = document.createElement("script");
        s.textContent = "window.__ranInline = true";
        document.body.append(s);
    }""")
    watched_page.wait_for_function("() => window.__cspViolations.length > 0")
    assert watched_page.evaluate("() => window.__ranInline") is None
    assert any("script-src" in v for v in _violations(watched_page))
