"""How long `make decks` takes and how big the decks are (the offline reveal.js decks, tools/decks.py).

    .venv/bin/python benchmarks/deck_build.py

Builds every deck into a temporary folder exactly as `make decks` does (two chapters at a time),
prints and writes benchmarks/results/decks.md: per deck its slides, size and seconds (execution of
the chapter + export), then the wall time of the whole build and the folder's total size, assets
(reveal.js, MathJax) included. Needs the assets in .cache/npm/ (`make deck-assets`).
"""
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import decks  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "decks.md"


def main():
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        records = decks.build_decks(out)
        wall = time.perf_counter() - start
        total = decks.folder_bytes(out)
        assets = decks.folder_bytes(Path(out) / "assets")
    lines = ["| deck | slides | MB | seconds |", "|---|---|---|---|"]
    lines += [f"| {r['deck']} | {r['slides']} | {r['bytes'] / 1e6:.2f} | {r['seconds']:.1f} |" for r in records]
    summary = (f"{len(records)} decks, {sum(r['slides'] for r in records)} slides, built in {wall:.0f} s "
               f"(two chapters at a time); {total / 1e6:.1f} MB in all, of which {assets / 1e6:.1f} MB "
               f"are the assets (reveal.js {decks.ASSETS['reveal.js'][0]}, MathJax {decks.ASSETS['mathjax'][0]}).")
    RESULTS.write_text("\n".join(lines) + "\n\n" + summary + "\n")
    print("\n".join(lines) + "\n\n" + summary)


if __name__ == "__main__":
    main()
