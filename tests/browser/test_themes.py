"""The console follows the system's light or dark theme from the first paint, with no script involved."""

import pytest

PAPER = {"light": "rgb(250, 249, 245)", "dark": "rgb(26, 25, 24)"}

FIRST_LOOK = """() => ({
    paper: getComputedStyle(document.documentElement).backgroundColor,
    ink: getComputedStyle(document.body).color,
    meta: document.querySelector('meta[name="color-scheme"]')?.content,
    stylesheetInHead: !!document.head.querySelector('link[rel="stylesheet"][href*="console.css"]'),
})"""


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_theme_needs_no_script(browser, live_server, theme):
    # Scripts off, the scheme set before the page is asked for: what it shows is the stylesheet's doing.
    context = browser.new_context(base_url=live_server.url, color_scheme=theme, java_script_enabled=False)
    page = context.new_page()
    page.goto("/accounts/login/")
    look = page.evaluate(FIRST_LOOK)
    context.close()
    assert look["paper"] == PAPER[theme], look


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_every_console_page_takes_the_system_theme_from_its_stylesheet(page, sign_in, demo, theme):
    page.emulate_media(color_scheme=theme)
    sign_in("owner@acme.test", demo)
    for url in ("/", "/orgs/acme/", "/orgs/acme/settings/members/"):
        page.goto(url)
        look = page.evaluate(FIRST_LOOK)
        assert look["paper"] == PAPER[theme], (url, look)
        # Told before the stylesheet arrives, so the browser's own canvas and controls match (no flash).
        assert look["meta"] == "light dark" and look["stylesheetInHead"], (url, look)
