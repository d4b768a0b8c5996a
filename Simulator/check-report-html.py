#!/usr/bin/env python3
"""Opens a `gridsync-sim --report-html` page in a real headless Chromium and checks it:

- no console error or warning, no page error, and no request but the file itself (no network);
- every chart is drawn: its SVG has its marks, and rasterised in the page it is not blank;
- the page's figures and invariants equal the JSON report's (`--report-json` of the same run).

Usage: check-report-html.py day.html day.json [screenshot.png]
Chromium is Debian's `chromium`, driven through Playwright with its executable_path.
"""
import base64
import json
import pathlib
import shutil
import sys

from playwright.sync_api import sync_playwright

FAILED = []


def check(name, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else f": {detail}"))
    if not ok:
        FAILED.append(name)


# Counts the inked pixels of a PNG (a chart as the browser rendered it, screenshotted): those
# with a channel below 200. A blank chart is its near-white background and border: none.
INKED = """async (png) => {
  const image = new Image();
  image.src = 'data:image/png;base64,' + png;
  await image.decode();
  const canvas = document.createElement('canvas');
  canvas.width = image.width; canvas.height = image.height;
  const context = canvas.getContext('2d');
  context.drawImage(image, 0, 0);
  const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
  let inked = 0;
  for (let i = 0; i < pixels.length; i += 4) if (Math.min(pixels[i], pixels[i + 1], pixels[i + 2]) < 200) inked++;
  return inked;
}"""


def main():
    html, report_path = pathlib.Path(sys.argv[1]).resolve(), sys.argv[2]
    screenshot = sys.argv[3] if len(sys.argv) > 3 else None
    report = json.load(open(report_path))
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        check("Debian's chromium is installed", False, "apt-get install chromium")
        return 1
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 900, "height": 1400})
        problems, requests = [], []
        page.on("console", lambda message: problems.append(f"{message.type}: {message.text}") if message.type in ("error", "warning") else None)
        page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
        page.on("requestfailed", lambda request: problems.append(f"failed: {request.url}"))
        page.on("request", lambda request: requests.append(request.url))
        page.goto(html.as_uri())
        page.wait_for_load_state("load")

        charts = ["timeline", "latency", "terminals"] + (["streets"] if report.get("conflicts_by_street") else [])
        for chart in charts:
            marks = page.evaluate(f"document.querySelectorAll('#{chart} polyline, #{chart} rect').length")
            check(f"chart {chart} has its marks", marks > 0, f"{marks} marks")
            inked = page.evaluate(INKED, base64.b64encode(page.locator(f"#{chart}").screenshot()).decode())
            check(f"chart {chart} is drawn (not blank)", inked > 500, f"{inked} inked pixels")
        check("no console error or warning, no page error", not problems, "; ".join(problems))
        check("nothing fetched but the page itself (self-contained)", requests == [html.as_uri()], str(requests))

        figure = lambda name: page.text_content(f'[data-figure="{name}"]')
        latency = report["sync_latency_ms"]
        check("p50 / p95 / p99 match the JSON",
              figure("sync latency p50 / p95 / p99") == f"{latency['p50']:.0f} / {latency['p95']:.0f} / {latency['p99']:.0f} ms",
              figure("sync latency p50 / p95 / p99"))
        check("changes created / on server match",
              figure("changes created / on server") == f"{report['changes_created']} / {report['changes_on_server']}",
              figure("changes created / on server"))
        check("terminals and records match", figure("terminals") == str(report["terminals"])
              and figure("records on server") == str(report["records_on_server"]))
        check("state digest matches", figure("state digest") == report["state_digest"], figure("state digest"))
        invariants = page.inner_text("#invariants")
        check("lost and duplicated match", f"{report['lost']} lost" in invariants and f"{report['duplicated']} duplicated" in invariants)
        broken = page.evaluate("document.querySelectorAll('#invariants td.bad').length")
        holds = report["lost"] == 0 and report["duplicated"] == 0 and report["silent_overwrites"] == 0 and report["converged"]
        check("the verdict is green exactly when the invariants hold",
              (page.get_attribute("#verdict", "class") == "verdict ok") == (broken == 0) and (broken == 0 or not holds), f"{broken} broken")
        points = page.evaluate("document.querySelector('#timeline polyline').getAttribute('points').trim().split(/\\s+/).length")
        check("the timeline has a point per second of the day", points == len(report["timeline"]["seconds"]),
              f"{points} points, {len(report['timeline']['seconds'])} seconds")
        check("the scenario and seed that reproduce it are shown", f"--seed {report['seed']}" in page.inner_text("body"))
        if screenshot:
            page.screenshot(path=screenshot, full_page=True)
        browser.close()
    print(f"{len(FAILED)} failed")
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
