"""Accessibility and phone-width checks for the browser tests: axe-core (npm,
served by the portal itself like Bootstrap) and "does the page fit 390 px"."""

from __future__ import annotations

from django.templatetags.static import static

from conftest import ARTIFACTS

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
BLOCKING = ("serious", "critical")
SHOTS = ARTIFACTS / "a11y"


def axe_violations(page, *, impacts=BLOCKING) -> list[dict]:
    """The page's WCAG 2.1 A/AA violations of the given impacts, as axe-core
    reports them: [{id, impact, help, nodes: [{target, summary}]}]."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        origin = page.evaluate("() => location.origin")
        page.add_script_tag(url=origin + static("vendor/axe-core/axe.min.js"))
    found = page.evaluate(
        """async () => {
            const result = await axe.run(document, {
                runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
                resultTypes: ["violations"],
            });
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => ({target: n.target.join(" "), summary: n.failureSummary})),
            }));
        }"""
    )
    return [v for v in found if v["impact"] in impacts]


def describe(violations: list[dict], limit: int = 3) -> str:
    """One line per violation with its first few elements, for assertion messages and lists."""
    lines = []
    for v in violations:
        targets = ", ".join(n["target"] for n in v["nodes"][:limit])
        more = f" (+{len(v['nodes']) - limit})" if len(v["nodes"]) > limit else ""
        lines.append(f"{v['impact']} {v['id']}: {v['help']} — {targets}{more}")
    return "\n".join(lines)


def overflow(page) -> dict:
    """How wide the page is against the window, and the outermost elements
    that stick out on the right (not those inside a box that scrolls or clips)."""
    return page.evaluate(
        """() => {
            const width = window.innerWidth;
            const sticksOut = el => el.getBoundingClientRect().right > width + 1;
            const clipped = el => {
                for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
                    if (getComputedStyle(up).overflowX !== "visible") return true;
                }
                return false;
            };
            const culprits = [];
            if (document.scrollingElement.scrollWidth > width) {
                for (const el of document.body.querySelectorAll("*")) {
                    if (!sticksOut(el) || el.getBoundingClientRect().width === 0 || clipped(el)) continue;
                    if (el.parentElement && el.parentElement !== document.body && sticksOut(el.parentElement)) continue;
                    const classes = typeof el.className === "string" && el.className.trim()
                        ? "." + el.className.trim().split(/\\s+/).join(".") : "";
                    culprits.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + classes
                                  + " → " + Math.round(el.getBoundingClientRect().right) + "px");
                }
            }
            return {scrollWidth: document.scrollingElement.scrollWidth, innerWidth: width, culprits};
        }"""
    )


def assert_fits(page, width: int = PHONE["width"]) -> None:
    """The page scrolls only vertically at `width` px: nothing widens the document."""
    if page.viewport_size["width"] != width:
        page.set_viewport_size({"width": width, "height": PHONE["height"]})
    found = overflow(page)
    assert found["scrollWidth"] <= found["innerWidth"], (
        f"{page.url} is {found['scrollWidth']} px wide at {found['innerWidth']} px: {found['culprits'][:5]}"
    )


def untyped_buttons(page) -> list[str]:
    """Buttons of a form with no type: they submit the form when clicked, even those meant to add a row."""
    return page.eval_on_selector_all("form button:not([type])", "els => els.map(b => b.textContent.trim())")


def shoot(page, name: str, size: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-{size}.png"), full_page=True)


def assert_accessible(page, name: str) -> None:
    """The page as it stands: axe at desktop size, then the fit at 390 px (no reload: a POST's answer)."""
    page.set_viewport_size(DESKTOP)
    found = axe_violations(page)
    assert not found, f"{page.url}\n{describe(found)}"
    assert not untyped_buttons(page), f"{page.url}: buttons without a type {untyped_buttons(page)}"
    shoot(page, name, "desktop")
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(300)  # let a resize handler (scroll boxes) run
    assert_fits(page)
    shoot(page, name, "phone")


def visit(page, url: str, name: str, status: int = 200) -> None:
    """Open `url` at desktop size and check it, then load it again on a phone and check it fits."""
    page.set_viewport_size(DESKTOP)
    assert page.goto(url).status == status, url
    found = axe_violations(page)
    assert not found, f"{url}\n{describe(found)}"
    assert not untyped_buttons(page), f"{url}: buttons without a type {untyped_buttons(page)}"
    shoot(page, name, "desktop")
    page.set_viewport_size(PHONE)
    page.reload()
    assert_fits(page)
    shoot(page, name, "phone")
