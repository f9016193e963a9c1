"""How smoothly the playground plays: frames per second in Chromium, and the Python time of a frame.

    .venv/bin/python benchmarks/playground_fps.py [--seconds 10]

Opens chapter 11 in a private JupyterLab in Chromium (the student's 1280×800 page), runs it, presses Reset
and Play on the chapter's first playground (two hidden layers of 8 neurons on the spiral of 500 points,
250 of them for training, mini-batches of 10: 25 steps an epoch) and counts, in the page, how often the
picture changes during ``--seconds`` seconds (each change is one frame: one epoch trained, the heat map,
curves, thumbnails, links and bars redrawn). Then it measures the same frame in Python alone (train one
epoch and redraw, no browser). Writes benchmarks/results/playground_fps.md. Target: at least 10 frames a
second in the browser (TensorFlow Playground itself redraws every epoch on its animation frame).
"""
import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools" / "browser"))

from labdriver import STUDENT_SCREEN, Lab, NotebookPage, open_browser  # noqa: E402

COUNT_FRAMES = """seconds => new Promise(done => {
    const img = document.querySelector('.nncourse-playground img.widget-image');
    let frames = 0, last = img.src;
    const start = performance.now();
    (function poll() {
        if (img.src !== last) { frames += 1; last = img.src; }
        if (performance.now() - start < seconds * 1000) requestAnimationFrame(poll);
        else done(frames);
    })();
})"""


def browser_fps(seconds):
    from playwright.sync_api import sync_playwright

    lab = Lab()
    try:
        with sync_playwright() as playwright:
            chromium = open_browser(playwright)
            page = NotebookPage(lab, chromium, "11_playground.ipynb", viewport=STUDENT_SCREEN)
            page.run_all()
            widget = page.page.locator(".nncourse-playground").first
            widget.scroll_into_view_if_needed()
            widget.locator("button:has-text('Reset')").click()
            page.settle()
            widget.locator("button:has-text('Play')").click()
            time.sleep(1.0)                          # the first frames warm the kernel up
            frames = page.page.evaluate(COUNT_FRAMES, seconds)
            widget.locator("button:has-text('Pause')").click()
            page.close()
            chromium.close()
    finally:
        lab.stop()
    return frames / seconds


def python_frame_ms(frames=30):
    from course_lib.viz.playground_widget import PlaygroundWidget

    widget = PlaygroundWidget({"dataset": "spiral", "noise": 0.1, "hidden": [8, 8], "optimizer": "adam",
                               "features": ["x1", "x2", "sin(x1)", "sin(x2)"], "lr": 0.03})
    widget.step(3)
    times = []
    for _ in range(frames):
        start = time.perf_counter()
        widget.step()
        times.append(1000 * (time.perf_counter() - start))
    return statistics.median(times)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args(argv)
    python_ms = python_frame_ms()
    fps = browser_fps(args.seconds)
    verdict = "ok" if fps >= 10 else "below the target of 10"
    table = (f"| measurement | value |\n|---|---|\n"
             f"| frames per second in Chromium, playing ({args.seconds:g} s) | {fps:.1f} ({verdict}) |\n"
             f"| Python time of one frame (train one epoch + redraw), median of 30 | {python_ms:.0f} ms |\n")
    print(table)
    results = ROOT / "benchmarks" / "results" / "playground_fps.md"
    results.write_text("# The playground's frame rate\n\nWritten by `benchmarks/playground_fps.py` "
                       "(2 hidden layers of 8 neurons, 500 points, batch 10).\n\n" + table)


if __name__ == "__main__":
    main()
