"""Headless Chromium (Debian's package) driven by Playwright, with the network cut off."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

#: Playwright's limits (30 s by default) are hang guards here, not speed checks: a loaded machine
#: may take long to start Chromium and lay out the charts.
HANG_GUARD_MS = 300_000

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-default-apps",
]


def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    assert path, "chromium is not installed (.ci/run installs Debian's chromium package)"
    return path


@dataclass
class Visit:
    page: Page
    console_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)  # anything that tried to leave the file


@contextmanager
def open_offline(html: Path) -> Iterator[Visit]:
    """Open ``html`` in Chromium with no network: every non-file request is refused and noted."""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, timeout=HANG_GUARD_MS)
        context = browser.new_context(offline=True, viewport={"width": 1280, "height": 900})
        context.set_default_timeout(HANG_GUARD_MS)
        page = context.new_page()
        visit = Visit(page)
        page.on("console", lambda m: visit.console_errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: visit.console_errors.append(str(e)))

        def refuse(route, request):  # type: ignore[no-untyped-def]
            if request.url.startswith("file://"):
                route.continue_()
            else:
                visit.requests.append(request.url)
                route.abort()

        context.route("**/*", refuse)
        page.goto(html.resolve().as_uri())
        try:
            yield visit
        finally:
            browser.close()


@contextmanager
def open_drawn(html: Path) -> Iterator[Visit]:
    """:func:`open_offline`, once every chart of the page is drawn."""
    with open_offline(html) as visit:
        visit.page.evaluate("window.hamflowReady")
        yield visit
