"""How fast every widget feels in a real browser: key press → new pixels in Chromium, per control.

    .venv/bin/python benchmarks/browser_latency.py [NOTEBOOK ...] [--moves 10]

Starts a private JupyterLab (tools/browser/labdriver.py), opens each notebook fresh in Chromium on the page a
student sees (1280×800, the file browser open: ``STUDENT_SCREEN``), runs it, then moves every
control ``--moves`` times — sliders with the arrow keys, option buttons and radios with Space on the
next option (then back), dropdowns by selection, checkboxes by a click — and times each move from
the key press to the moment the plot's image has new pixels. In the same run it measures the Python
side of every widget, and the naive full redraw, with benchmarks/widget_latency.py. Prints a table
(notebook, control, Python ms, naive ms, ratio, browser median and p90 ms; "disabled" for a control
greyed out in the notebook's own state), then the controls over budget, and writes the table to benchmarks/results/latency.md. Budget: browser median ≤ 100 ms
(key press to pixels); Python ≤ 50 ms.
"""
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools" / "browser"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from labdriver import STUDENT_SCREEN, Lab, NotebookPage, open_browser  # noqa: E402
from results_table import update_table  # noqa: E402
from widget_latency import measure  # noqa: E402


def browser_times(lab, chromium, notebook, moves):
    page = NotebookPage(lab, chromium, notebook, viewport=STUDENT_SCREEN)
    try:
        page.run_all()
        rows = []
        for i in range(page.controls().count()):
            times = [page.move(i) for _ in range(moves)]
            page.settle()
            rows.append((page.describe(i), [t for t in times if isinstance(t, float)],
                         all(t == "disabled" for t in times)))   # greyed out in the notebook's own state
        return rows
    finally:
        page.close()


BUDGET_MS = 100    # median, key press to new pixels


def main(argv):
    if {"-h", "--help"} & set(argv):
        print(__doc__)
        return
    moves = int(argv[argv.index("--moves") + 1]) if "--moves" in argv else 10
    names = [a for a in argv if a.endswith(".ipynb")]
    paths = [Path(n).resolve() for n in names] or sorted((ROOT / "notebooks").glob("*.ipynb"))
    from playwright.sync_api import sync_playwright

    header = ["| notebook | widget | control | Python ms | naive ms | naive / Python | browser median ms | browser p90 ms |",
              "|---|---|---|---|---|---|---|---|"]
    lines, slow = [], []
    print(f"{'notebook':26} {'control':22} {'python':>7} {'naive':>7} {'ratio':>5} {'browser':>8} {'p90':>6}")
    lab = Lab()
    try:
        with sync_playwright() as playwright:
            chromium = open_browser(playwright)
            for path in paths:
                python_side = {}                # a control's label → its widgets' rows, in the notebook's order
                for widget, _, description, median, _, naive, _ in measure(path):
                    python_side.setdefault(description, []).append((widget, median, naive))
                for label, times, disabled in browser_times(lab, chromium, path.name, moves):
                    same = python_side.get(label) or [("(outside a LivePlot)", float("nan"), float("nan"))]
                    widget, median, naive = same.pop(0) if len(same) > 1 else same[0]
                    b50, b90 = (np.median(times), np.percentile(times, 90)) if times else (float("nan"),) * 2
                    shown = ("disabled", "") if disabled else (f"{b50:.0f}", f"{b90:.0f}")
                    print(f"{path.name:26} {label[:22]:22} {median:7.1f} {naive:7.1f} {naive / median:5.1f} "
                          f"{shown[0]:>8} {shown[1]:>6}", flush=True)
                    lines.append(f"| {path.name} | {widget} | {label} | {median:.1f} | {naive:.1f} | "
                                 f"{naive / median:.1f} | {shown[0]} | {shown[1]} |")
                    if not disabled and not b50 <= BUDGET_MS:
                        slow.append((b50, path.name, label))
            chromium.close()
    finally:
        lab.stop()
    update_table(ROOT / "benchmarks" / "results" / "latency.md", header, lines, {p.name for p in paths})
    print(f"\n{len(slow)} of {len(lines)} controls over {BUDGET_MS} ms median (nan: never redrew):")
    for b50, name, label in sorted(slow, key=lambda row: -row[0] if row[0] == row[0] else -1e9):
        print(f"  {b50:6.0f} ms  {name}  {label}")


if __name__ == "__main__":
    main(sys.argv[1:])
