"""Every page and state under axe-core (WCAG 2.1 A/AA) and at phone width and 200 % zoom."""

from pathlib import Path

import pytest

from tests.browser.states import STATES, open_state

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}

RUN_AXE = """async (tags) => {
    const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
    return result.violations.map((v) => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 5),
    }));
}"""

# Wider than the viewport by more than a rounding pixel, and which element sticks out.
OVERFLOW = """() => {
    const width = document.documentElement.clientWidth;
    const wide = [...document.querySelectorAll("body *")].filter((el) => {
        const box = el.getBoundingClientRect();
        if (box.width === 0 || box.right <= width + 1) return false;
        // Inside a box that scrolls sideways on its own, being wider is the point.
        for (let p = el.parentElement; p; p = p.parentElement) {
            const style = getComputedStyle(p);
            if (["auto", "scroll"].includes(style.overflowX) && p.getBoundingClientRect().right <= width + 1) return false;
        }
        return true;
    });
    return {
        scrollWidth: document.documentElement.scrollWidth, width,
        wide: wide.slice(0, 5).map((el) => el.tagName.toLowerCase() + (el.className ? "." + el.className : "")),
    };
}"""


@pytest.fixture
def axe_page(page):
    # An init script runs before the page's own scripts and is not subject to its CSP.
    page.context.add_init_script(path=str(AXE))
    return page


@pytest.mark.parametrize("name", list(STATES))
def test_page_has_no_serious_or_critical_axe_violations(axe_page, sign_in, demo, name):
    open_state(axe_page, sign_in, demo, STATES[name])
    violations = axe_page.evaluate(RUN_AXE, WCAG_TAGS)
    counts = {impact: sum(len(v["nodes"]) for v in violations if v["impact"] == impact)
              for impact in ("critical", "serious", "moderate", "minor")}
    print(f"axe {name}: {counts}")
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    assert not blocking, f"{name}: " + "; ".join(f"{v['impact']} {v['id']} ({v['help']}) at {v['nodes']}" for v in blocking)


@pytest.mark.parametrize("name", list(STATES))
def test_page_fits_a_phone_and_200_percent_zoom(page, sign_in, demo, name):
    open_state(page, sign_in, demo, STATES[name])
    # 375 px is a small phone; 640 px is a 1280 px window at 200 % zoom.
    for width, height in ((375, 740), (640, 450)):
        page.set_viewport_size({"width": width, "height": height})
        found = page.evaluate(OVERFLOW)
        assert found["scrollWidth"] <= found["width"] and not found["wide"], f"{name} at {width} px: {found}"
