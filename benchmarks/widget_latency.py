"""Python-side update time of every live widget: compute + render, per slider move.

    .venv/bin/python benchmarks/widget_latency.py [NOTEBOOK ...]

Runs each notebook in a fresh kernel, recording every ``LivePlot`` it displays (and the playground's; a cell put before
the notebook's first registers a display formatter for LivePlot), then, in that kernel, moves every
control of each of them through up to 12 of its values (like a student dragging it) and reads the time of
each redraw (``LivePlot.last_update_ms``: the chapter's update + drawing + PNG encoding). After each
move it also times the naive way on the same figure: the update, then a full ``savefig`` (every
artist redrawn, default PNG encoding), which is what ``interact`` with the inline backend costs at
the least (it also rebuilds the figure, not counted here). Prints a table (notebook, widget,
control, median and p90 ms, naive median ms, ratio) and writes it to
benchmarks/results/widget_latency.md. Key press → pixels in Chromium: benchmarks/browser_latency.py.
"""
import json
import os
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from results_table import update_table

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("IPYTHONDIR", str(ROOT / "tests" / "ipython"))  # plain tracebacks, as in the tests

# Runs before the notebook: records each LivePlot as IPython displays it (the library keeps no list).
RECORD = r'''
_shown_plots = []

def _record_plot(plot):
    if all(p is not plot for p in _shown_plots):
        _shown_plots.append(plot)
    return plot._repr_mimebundle_()

def _record_playground(widget):            # the playground (chapter 11) draws through a LivePlot of its own
    _record_plot(widget.plot)
    return widget._repr_mimebundle_()

_formatter = get_ipython().display_formatter.mimebundle_formatter
_formatter.for_type_by_name("course_lib.viz.widgets", "LivePlot", _record_plot)
_formatter.for_type_by_name("course_lib.viz.playground_widget", "PlaygroundWidget", _record_playground)
'''

PROBE = r'''
import io, json, time, numpy as np, ipywidgets

def _naive_ms(plot):
    start = time.perf_counter()
    plot._update(**plot.values())
    for artist in plot.dynamic:
        artist.set_animated(False)
    plot.fig.savefig(io.BytesIO(), format="png")
    for artist in plot.dynamic:
        artist.set_animated(True)
    return 1000 * (time.perf_counter() - start)

def _values(control):
    if isinstance(control, (ipywidgets.SelectionSlider, ipywidgets.Dropdown, ipywidgets.ToggleButtons)):
        return [v for _, v in control._options_full] if hasattr(control, "_options_full") else list(control.options)
    if isinstance(control, (ipywidgets.Checkbox, ipywidgets.ToggleButton)):
        return [not control.value, control.value]
    if isinstance(control, ipywidgets.Text):
        return []                                   # typed, not dragged
    lo, hi, step = control.min, control.max, control.step
    return list(np.linspace(lo, hi, 12)) if not isinstance(control, ipywidgets.IntSlider) else list(range(lo, hi + 1, max(step, (hi - lo) // 12 or 1)))

_rows = []
for plot in _shown_plots:
    for name, control in plot.controls.items():
        start, times, naive = control.value, [], []
        for v in _values(control)[:12]:
            if isinstance(control, ipywidgets.IntSlider): v = int(v)
            elif isinstance(control, ipywidgets.FloatSlider): v = float(round(v / control.step) * control.step)
            if v == control.value: continue
            control.value = v
            times.append(plot.last_update_ms)
            naive.append(_naive_ms(plot))
        control.value = start
        if not times:
            continue
        _rows.append([plot.name, name, control.description, float(np.median(times)), float(np.percentile(times, 90)),
                      float(np.median(naive)), len(times)])
print("ROWS" + json.dumps(_rows))
'''


def measure(path):
    nb = nbformat.read(path, as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell(RECORD))
    nb.cells.append(nbformat.v4.new_code_cell(PROBE))
    client = NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    for output in nb.cells[-1].outputs:
        if output.get("name") == "stdout" and "ROWS" in output["text"]:
            return json.loads(output["text"].split("ROWS", 1)[1])
    raise RuntimeError(f"{path.name}: the probe printed nothing")


def main(argv):
    paths = [Path(a).resolve() for a in argv] or sorted((ROOT / "notebooks").glob("*.ipynb"))
    header = ["| notebook | widget | control | median ms | p90 ms | naive median ms | naive / ours |",
              "|---|---|---|---|---|---|---|"]
    lines = []
    print(f"{'notebook':28} {'widget':28} {'control':14} {'median ms':>9} {'p90 ms':>7} {'naive ms':>8} {'ratio':>5}")
    for path in paths:
        for widget, control, _, median, p90, naive, moves in measure(path):
            print(f"{path.name:28} {widget:28} {control:14} {median:9.1f} {p90:7.1f} {naive:8.1f} {naive / median:5.1f}",
                  flush=True)
            lines.append(f"| {path.name} | {widget} | {control} | {median:.1f} | {p90:.1f} | {naive:.1f} | "
                         f"{naive / median:.1f} |")
    update_table(ROOT / "benchmarks" / "results" / "widget_latency.md", header, lines, {p.name for p in paths})


if __name__ == "__main__":
    main(sys.argv[1:])
