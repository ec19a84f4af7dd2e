"""The 100 x 300 matrix in Chromium: all 300 hires on one page against pages of 30.

The server answers a cached matrix in milliseconds at any size (bench/pages.py);
what a leader then waits for is the browser laying out the table. This loads the
matrix and opens a cell's in-place editor (an htmx swap that makes the browser
lay out the table again), with every hire on one page (the baseline, as before
pages of hires) and with pages of ``HIRES_PER_PAGE``, in the same run.

Run: python -m bench.browser  (needs /usr/bin/chromium and Playwright)
"""

import statistics
import time

from bench.common import bench_user, prepare_database, setup_django, table

CHROMIUM = "/usr/bin/chromium"


def _serve():
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.test.testcases import LiveServerThread

    server = LiveServerThread("127.0.0.1", StaticFilesHandler, port=0)
    server.daemon = True
    server.start()
    server.is_ready.wait()
    if server.error:
        raise server.error
    return server


def _seconds(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def run(repeat: int = 3, problems: int = 100, roles: int = 300) -> dict:
    from django.test import Client
    from playwright.sync_api import sync_playwright

    from coverage import views
    from hiringplan.management.commands.generate_plan import generate_plan

    prepare_database()
    plan = generate_plan("bench-browser", problems=problems, roles=roles)
    client = Client()
    client.force_login(bench_user())
    server = _serve()
    base = f"http://127.0.0.1:{server.port}"
    url = f"{base}/plans/{plan.slug}/matrix/"
    paged = views.HIRES_PER_PAGE
    results = {}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM)
            context = browser.new_context(viewport={"width": 1366, "height": 900})
            context.add_cookies(
                [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}]
            )
            page = context.new_page()
            page.set_default_timeout(120_000)
            for name, per_page in (("every hire on one page", roles), (f"pages of {paged}", paged)):
                views.HIRES_PER_PAGE = per_page
                page.goto(url)  # renders and caches this layout's fragment
                loads, opens = [], []
                for i in range(repeat):
                    loads.append(_seconds(lambda: page.goto(url)))
                    cell = page.locator("td.cell a[data-hx-get]").nth(3 + i)
                    cell_id = cell.evaluate("a => a.closest('td').id")

                    def open_editor(cell=cell, cell_id=cell_id):
                        cell.click()
                        page.wait_for_selector(f"#{cell_id} form")

                    opens.append(_seconds(open_editor))
                results[name] = {
                    "cells": problems * min(per_page, roles),
                    "load": statistics.median(loads),
                    "open": statistics.median(opens),
                }
            browser.close()
    finally:
        views.HIRES_PER_PAGE = paged
        server.terminate()
    base_case = results["every hire on one page"]
    rows = [
        [
            name,
            r["cells"],
            f"{r['load'] * 1000:.0f} ms",
            f"{r['load'] / base_case['load']:.2f}x",
            f"{r['open'] * 1000:.0f} ms",
            f"{r['open'] / base_case['open']:.2f}x",
        ]
        for name, r in results.items()
    ]
    print(f"\nMatrix of {problems} x {roles} in Chromium at 1366 px (median of {repeat})")
    print(
        table(
            [
                "layout",
                "cells on the page",
                "page load",
                "vs one page",
                "open a cell editor",
                "vs one page",
            ],
            rows,
        )
    )
    return results


if __name__ == "__main__":
    setup_django()
    run()
