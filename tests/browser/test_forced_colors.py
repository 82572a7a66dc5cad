"""Forced colours (Windows high contrast): every state that a colour shows still shows.

The browser replaces every author colour with the system's few, so a state shown by a colour alone
(a pressed choice, the current page, the danger action) vanishes. Each case reads the computed
style of one element in its state and again with the state taken away, under
`forced-colors: active`, and the two must differ in something people see: a colour, a border,
an outline or an underline (weight or opacity alone does not count).
"""

import pytest

from tests.browser.states import ADMIN_STATES, STATES, open_state

PAGES = {**STATES, **ADMIN_STATES}

# name → (state, the element in its state, the attributes that take the state away: value None removes)
CASES = {
    "pressed rating choice": ("chat-dialog-open", 'button[data-choice="up"]', {"aria-pressed": "false"}),
    "pressed thumb while rating": ("chat-dialog-open", 'button[data-rating="up"][aria-pressed="true"]', {"aria-pressed": "false"}),
    "sent thumb": ("chat-after-submit", 'button[data-rating="up"][aria-pressed="true"]', {"aria-pressed": "false", "aria-disabled": None}),
    "thumb no longer pressable": (
        "chat-after-submit", 'button[data-rating="down"][aria-disabled="true"]', {"aria-disabled": None},
    ),
    "danger button of the switch-off dialog": ("data-management-confirm", "dialog button.danger", {"class": ""}),
    "danger button of a confirmation page": ("members-remove-confirm", "main button.danger", {"class": ""}),
    "current page in the side navigation": ("overview", '.sidenav a[aria-current="page"]', {"aria-current": None}),
    "current page of the audit log": ("audit-log-last-page", '.pagination a[aria-current="page"]', {"aria-current": None}),
    "feedback setting off": ("data-management-turned-off", '[data-testid="setting-state"]', {"class": "badge on"}),
    "chosen filter in the staff admin": ("admin-orgs-membership-list-filtered", "#changelist-filter li.selected a", {}),
    "current model in the staff admin's navigation": ("admin-orgs-membership-list", "#nav-sidebar .current-model a", {}),
}
# The admin marks these on the parent: the state is taken away there.
PARENT_CLASS = {"chosen filter in the staff admin": "selected", "current model in the staff admin's navigation": "current-model"}

READ_BOTH = """([selector, changes, parentClass]) => {
    const el = document.querySelector(selector);
    if (!el) return null;
    const sides = ["top", "right", "bottom", "left"];
    const read = () => {
        const s = getComputedStyle(el);
        const seen = {color: s.color, background: s.backgroundColor, decoration: s.textDecorationLine};
        // A line is seen only when it has a style and a width; then its colour counts too.
        const line = (style, width, color) => (style === "none" || width === "0px" ? "none" : `${style} ${width} ${color}`);
        for (const side of sides) {
            const part = (what) => s.getPropertyValue(`border-${side}-${what}`);
            seen[`border-${side}`] = line(part("style"), part("width"), part("color"));
        }
        seen.outline = line(s.outlineStyle, s.outlineWidth, s.outlineColor);
        seen.shadow = s.boxShadow;
        return seen;
    };
    const stated = read();
    for (const [name, value] of Object.entries(changes)) {
        if (value === null) el.removeAttribute(name); else el.setAttribute(name, value);
    }
    if (parentClass) el.closest("." + parentClass).classList.remove(parentClass);
    return {stated, plain: read(), forced: matchMedia("(forced-colors: active)").matches};
}"""


@pytest.mark.parametrize("case", list(CASES))
def test_a_state_shown_by_colour_still_shows_in_forced_colours(page, sign_in, demo, settings, case):
    state, selector, changes = CASES[case]
    page.emulate_media(forced_colors="active")
    open_state(page, sign_in, demo, PAGES[state], settings)
    # Neither hover nor focus may stand in for the state.
    page.mouse.move(0, 0)
    page.evaluate("document.activeElement && document.activeElement.blur()")
    found = page.evaluate(READ_BOTH, [selector, changes, PARENT_CLASS.get(case)])
    assert found is not None, f"{case}: nothing matches {selector} in {state}"
    assert found["forced"], "forced colours are not active"
    differences = {k: (found["stated"][k], found["plain"][k]) for k in found["stated"] if found["stated"][k] != found["plain"][k]}
    assert differences, f"{case} looks the same as without its state under forced colours: {found['stated']}"
