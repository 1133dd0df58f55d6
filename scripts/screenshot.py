"""Screenshot of a hamflow report in headless Chromium (for the README): python scripts/screenshot.py report.html docs/report.png

The picture runs from the top of the page to the end of the first athlete's second workout chart,
so it shows every weekly chart and workouts drawn over time without the whole (long) page.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

#: The last thing in the picture: the shown athlete's second "Look at a workout" card (or its last).
UNTIL = "section.athlete.shown .workout"
CARDS = 2


def main(html: str, png: str, width: int = 1280) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        sys.exit("chromium is not installed (apt-get install chromium)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = browser.new_context(offline=True, viewport={"width": width, "height": 900}).new_page()
        page.goto(Path(html).resolve().as_uri())
        page.evaluate("window.hamflowReady")
        cards = page.locator(UNTIL)
        box = cards.nth(min(CARDS, cards.count()) - 1).bounding_box() if cards.count() else None
        if box is None:
            page.screenshot(path=png, full_page=True)
        else:
            page.screenshot(path=png, full_page=True, clip={"x": 0, "y": 0, "width": width, "height": box["y"] + box["height"] + 16})
        browser.close()
    print(f"screenshot written to {png}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
