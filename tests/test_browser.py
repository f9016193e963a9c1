"""Every notebook in a real JupyterLab in Chromium: it runs, every widget displays, every control redraws its plot.

nbval proves that cells execute; this proves what a student sees. For each notebook: open it fresh,
Run All from the menu, then assert no cell raised, no "Error displaying widget", no console errors,
and that moving each slider (or changing each dropdown and checkbox) changes a plot's pixels.

Needs Debian's Chromium (`apt-get install chromium`) and Playwright (a test dependency). In CI
(CI=true) a missing browser fails the run; elsewhere these tests skip and say how to enable them.
A screenshot of each chapter's first widget and the key-press-to-pixels times are written to build/.
"""
import json

import pytest

from labdriver import ROOT, NotebookPage, lab_and_browser, require_browser

NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
BUILD = ROOT / "build" / "browser"


@pytest.fixture(scope="module")
def browser():
    require_browser("browser tests")
    with lab_and_browser() as lab_and_chromium:
        yield lab_and_chromium


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_notebook_runs_and_every_widget_redraws_in_jupyterlab(browser, notebook):
    lab, chromium = browser
    page = NotebookPage(lab, chromium, notebook)
    try:
        page.run_all()
        assert page.broken_widgets() == 0, "a widget shows 'Error displaying widget'"
        images = page.images()
        if images.count():
            BUILD.mkdir(parents=True, exist_ok=True)
            images.first.scroll_into_view_if_needed()
            images.first.screenshot(path=str(BUILD / f"{notebook.removesuffix('.ipynb')}.png"))
        timings, stuck = {}, []
        for i in range(page.controls().count()):
            ms = page.move(i)
            name = f"{i}:{page.describe(i)}"
            if ms is None:
                stuck.append(name)
            elif ms != "disabled":       # greyed out: it does nothing for the current choice, on purpose
                timings[name] = ms
        assert not stuck, f"moving these controls changed no plot: {stuck}"
        assert not page.console_errors, f"browser console errors: {page.console_errors[:5]}"
        BUILD.mkdir(parents=True, exist_ok=True)
        (BUILD / f"{notebook.removesuffix('.ipynb')}.latency.json").write_text(json.dumps(timings, indent=1))
    finally:
        page.close()
