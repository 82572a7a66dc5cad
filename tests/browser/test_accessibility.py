"""Every page and state under axe-core (WCAG 2.2 A/AA and best practice) in both themes, at 320 px and 200 % zoom.

Each state is opened once and then checked four ways: axe in the light theme at a desktop width,
axe in the dark theme at 320 px (WCAG 1.4.10's width), and nothing wider than the screen at
320 px or at a 1280 px window zoomed to 200 % (640 CSS px). Any axe violation fails, whatever
its impact. The console's states are in states.py; the staff admin's pages in admin_states.py.
"""

from pathlib import Path

import pytest

from tests.browser.states import ADMIN_STATES, STATES, open_state

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 320, "height": 640}  # WCAG 1.4.10: 320 CSS px wide without scrolling sideways
ZOOM_200 = {"width": 640, "height": 450}  # a 1280 × 900 window at 200 % zoom

RUN_AXE = """async (tags) => {
    const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
    return result.violations.map((v) => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 5),
    }));
}"""

# After a change of theme or width: let every style be recomputed, and the transitions it starts (the
# admin's links fade from one colour to the next) finish, so axe reads the colours people end up seeing.
SETTLE = """async () => {
    void document.documentElement.offsetWidth;
    const finite = document.getAnimations().filter((a) => a.effect && a.effect.getComputedTiming().endTime !== Infinity);
    await Promise.all(finite.map((a) => a.finished.catch(() => null)));
}"""

# Wider than the viewport by more than a rounding pixel, and which element sticks out.
OVERFLOW = """() => {
    const width = document.documentElement.clientWidth;
    const wide = [...document.querySelectorAll("body *")].filter((el) => {
        const box = el.getBoundingClientRect();
        if (box.width === 0 || box.right <= width + 1) return false;
        for (let p = el.parentElement; p; p = p.parentElement) {
            const style = getComputedStyle(p);
            const box = p.getBoundingClientRect();
            // Inside a box that scrolls sideways on its own (a data table), being wider is the point;
            // inside a box clipped to a pixel (visually hidden, for screen readers), it is not seen.
            if (["auto", "scroll"].includes(style.overflowX) && box.right <= width + 1) return false;
            if (style.overflowX !== "visible" && (box.width <= 1 || box.height <= 1)) return false;
        }
        return true;
    });
    return {
        scrollWidth: document.documentElement.scrollWidth, width,
        wide: wide.slice(0, 5).map((el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
            + (typeof el.className === "string" && el.className ? "." + el.className : "")),
    };
}"""


@pytest.fixture
def axe_page(page):
    # An init script runs before the page's own scripts and is not subject to its CSP.
    page.context.add_init_script(path=str(AXE))
    return page


def axe_problems(page, where):
    page.evaluate(SETTLE)
    return [
        f"{where}: {v['impact']} {v['id']} ({v['help']}) at {v['nodes']}"
        for v in page.evaluate(RUN_AXE, AXE_TAGS)
    ]


def width_problems(page, size, where):
    page.set_viewport_size(size)
    found = page.evaluate(OVERFLOW)
    if found["scrollWidth"] <= found["width"] and not found["wide"]:
        return []
    return [f"{where}: scrolls sideways ({found['scrollWidth']} px content in {found['width']} px), wider: {found['wide']}"]


def problems_of(page):
    """Everything wrong with the page as it is now, in both themes and at the three widths."""
    page.emulate_media(color_scheme="light")
    page.set_viewport_size(DESKTOP)
    found = axe_problems(page, "light theme")
    page.emulate_media(color_scheme="dark")
    found += width_problems(page, PHONE, "320 px")
    found += axe_problems(page, "dark theme at 320 px")
    found += width_problems(page, ZOOM_200, "200 % zoom")
    return found


PAGES = {**STATES, **ADMIN_STATES}


@pytest.mark.parametrize("name", list(PAGES))
def test_page_meets_wcag_2_2_aa_in_both_themes_at_320_px_and_200_percent_zoom(axe_page, sign_in, demo, settings, name):
    open_state(axe_page, sign_in, demo, PAGES[name], settings)
    found = problems_of(axe_page)
    assert not found, f"{name}:\n" + "\n".join(found)
