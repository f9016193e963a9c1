"""Write a benchmark's markdown table, replacing only the rows of the notebooks just measured.

Running a benchmark on one notebook then updates that notebook's rows and keeps the others.
"""
from pathlib import Path


def update_table(path, header, rows, measured):
    """``header``: the two header lines; ``rows``: new table lines; ``measured``: notebook names just run."""
    path = Path(path)
    kept = []
    if path.exists():
        kept = [line for line in path.read_text().splitlines()[2:]
                if line.split("|")[1].strip() not in measured]
    body = sorted(kept + rows, key=lambda line: line.split("|")[1].strip())
    path.parent.mkdir(exist_ok=True)
    path.write_text("\n".join(header + body) + "\n")
