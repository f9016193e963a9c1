"""How fast every widget feels in a real browser: key press → new pixels in Chromium, per control.

    .venv/bin/python benchmarks/browser_latency.py [NOTEBOOK ...] [--moves 10]

Starts a private JupyterLab (tests/labdriver.py), opens each notebook fresh in Chromium, runs it,
then moves every slider (arrow keys), dropdown and checkbox ``--moves`` times and times each move
from the key press to the moment the plot's image has new pixels. In the same run it measures the
Python side of every widget, and the naive full redraw, with benchmarks/widget_latency.py. Prints a
table (notebook, control, Python ms, naive ms, ratio, browser median and p90 ms) and writes it to
benchmarks/results/latency.md. Goal: browser median ≤ 150 ms, p90 ≤ 250 ms; Python ≤ 50 ms.
"""
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from labdriver import Lab, NotebookPage, open_browser  # noqa: E402
from results_table import update_table  # noqa: E402
from widget_latency import measure  # noqa: E402


def browser_times(lab, chromium, notebook, moves):
    page = NotebookPage(lab, chromium, notebook)
    try:
        page.run_all()
        rows = {}
        for i in range(page.controls().count()):
            times = [page.move(i) for _ in range(moves)]
            rows[page.describe(i)] = [t for t in times if isinstance(t, float)]
        return rows
    finally:
        page.close()


def main(argv):
    moves = int(argv[argv.index("--moves") + 1]) if "--moves" in argv else 10
    names = [a for a in argv if a.endswith(".ipynb")]
    paths = [Path(n).resolve() for n in names] or sorted((ROOT / "notebooks").glob("*.ipynb"))
    from playwright.sync_api import sync_playwright

    header = ["| notebook | widget | control | Python ms | naive ms | naive / Python | browser median ms | browser p90 ms |",
              "|---|---|---|---|---|---|---|---|"]
    lines = []
    print(f"{'notebook':26} {'control':22} {'python':>7} {'naive':>7} {'ratio':>5} {'browser':>8} {'p90':>6}")
    lab = Lab()
    try:
        with sync_playwright() as playwright:
            chromium = open_browser(playwright)
            for path in paths:
                python_side = {description: (widget, median, naive)
                               for widget, _, description, median, _, naive, _ in measure(path)}
                for label, times in browser_times(lab, chromium, path.name, moves).items():
                    widget, median, naive = python_side.get(label, ("(outside a LivePlot)", float("nan"), float("nan")))
                    b50, b90 = (np.median(times), np.percentile(times, 90)) if times else (float("nan"),) * 2
                    print(f"{path.name:26} {label[:22]:22} {median:7.1f} {naive:7.1f} {naive / median:5.1f} "
                          f"{b50:8.0f} {b90:6.0f}", flush=True)
                    lines.append(f"| {path.name} | {widget} | {label} | {median:.1f} | {naive:.1f} | "
                                 f"{naive / median:.1f} | {b50:.0f} | {b90:.0f} |")
            chromium.close()
    finally:
        lab.stop()
    update_table(ROOT / "benchmarks" / "results" / "latency.md", header, lines, {p.name for p in paths})


if __name__ == "__main__":
    main(sys.argv[1:])
