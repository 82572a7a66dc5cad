"""Real Chromium driven by Playwright against pytest-django's live server."""

import io
import os
import shutil
from pathlib import Path

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # sync Playwright runs an event loop

import pytest  # noqa: E402

from tests.conftest import skip_or_fail  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


def pytest_addoption(parser):
    parser.addoption(
        "--screenshots", action="store_true", default=False,
        help="save PNGs of the settings pages into docs/screenshots/ (make screenshots)",
    )


@pytest.fixture
def screenshots_dir(request):
    """docs/screenshots/ when pytest runs with --screenshots, else None: the pages are checked, not saved."""
    # The option exists only when this conftest loads at start-up (a path under tests/browser/).
    if not request.config.getoption("--screenshots", default=False):
        return None
    folder = Path(request.config.rootpath) / "docs" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        skip_or_fail(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    # Keyboard tests check focus, which only the front window has: an earlier test's second window
    # must not keep it.
    page.bring_to_front()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def sign_in(page):
    def _sign_in(email, password):
        page.goto("/accounts/login/")
        page.get_by_label("E-mail address").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/")
        return page

    return _sign_in


@pytest.fixture
def demo(transactional_db, settings):
    """The DESIGN §5 demo data, in the live server's database."""
    from django.core.management import call_command

    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    settings.DEBUG = False
    return settings.DEMO_PASSWORD
