"""How long each chapter takes to run top to bottom, as nbval runs it (budget: 30 s a notebook).

    .venv/bin/python benchmarks/notebook_times.py [NOTEBOOK ...] [--cells]

Executes each notebook in a fresh kernel (the venv's own, like nbval with --nbval-current-env),
prints a table (notebook, seconds: kernel start + all cells, not the kernel's shutdown) and, with --cells, the slowest cells.
Writes the table to benchmarks/results/notebook_times.md.
"""
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from results_table import update_table

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("IPYTHONDIR", str(ROOT / "tests" / "ipython"))  # plain tracebacks, as in the tests
BUDGET_S = 30.0


def time_notebook(path):
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}})
    cell_times = []
    start = time.perf_counter()
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            t0 = time.perf_counter()
            client.execute_cell(cell, index)
            cell_times.append((time.perf_counter() - t0, index, cell.source.splitlines()[0][:60] if cell.source else ""))
        total = time.perf_counter() - start     # the kernel's shutdown (0.4-3 s, at random) is not the student's wait
    return total, cell_times


def main(argv):
    show_cells = "--cells" in argv
    names = [a for a in argv if not a.startswith("--")]
    paths = [Path(n).resolve() for n in names] or sorted((ROOT / "notebooks").glob("*.ipynb"))
    rows = []
    print(f"{'notebook':40} {'seconds':>8}  budget {BUDGET_S:.0f} s")
    for path in paths:
        total, cells = time_notebook(path)
        rows.append((path.name, total))
        print(f"{path.name:40} {total:8.1f}  {'ok' if total <= BUDGET_S else 'OVER BUDGET'}", flush=True)
        if show_cells:
            for seconds, index, first_line in sorted(cells, reverse=True)[:8]:
                print(f"    cell {index:3d} {seconds:6.2f} s  {first_line}")
    update_table(ROOT / "benchmarks" / "results" / "notebook_times.md", ["| notebook | seconds |", "|---|---|"],
                 [f"| {n} | {s:.1f} |" for n, s in rows], {n for n, _ in rows})
    return 0 if all(s <= BUDGET_S for _, s in rows) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
