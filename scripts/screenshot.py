"""Screenshot of a hamflow report in headless Chromium (for the README): python scripts/screenshot.py report.html docs/report.png"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright


def main(html: str, png: str, width: int = 1280) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        sys.exit("chromium is not installed (apt-get install chromium)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = browser.new_context(offline=True, viewport={"width": width, "height": 900}).new_page()
        page.goto(Path(html).resolve().as_uri())
        page.evaluate("window.hamflowReady")
        page.screenshot(path=png, full_page=True)
        browser.close()
    print(f"screenshot written to {png}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
