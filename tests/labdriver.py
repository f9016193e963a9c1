"""Drive a real JupyterLab in Chromium (Playwright): start a private server, run a notebook, move its widgets.

Used by tests/test_browser.py, tests/test_presentation.py and benchmarks/browser_latency.py. The
server gets its own port, token, settings, workspaces and runtime folders, so nothing of the user's
Jupyter set-up leaks in, and it is stopped by its PID. ``Lab(present=True)`` also reads the
presenter's settings in tools/present (as `make present` does), and :class:`PresentationPage` drives
the presentation mode of jupyterlab-slideshow. Chromium is Debian's (/usr/bin/chromium): never
`playwright install`.
"""
import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic", "--disable-dev-shm-usage"]
SETTING_OVERRIDES = {
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/extensionmanager-extension:plugin": {"enabled": False},
    "@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"},  # every cell stays in the page
}
PRESENT_CONFIG = ROOT / "tools" / "present"
CONTROLS = ".widget-slider .noUi-handle, .widget-dropdown select, .widget-checkbox input[type=checkbox]"


def find_chromium():
    """Debian's Chromium, or None."""
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return None


def browser_unavailable():
    """Why the browser tests cannot run here (a sentence), or None when Playwright and Chromium are installed."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install -e '.[test]')"
    if not find_chromium():
        return "Chromium is not installed (Debian/Ubuntu: sudo apt-get install chromium)"
    return None


def require_browser(what):
    """Skip the calling tests when Playwright or Chromium is missing, or fail them in CI (CI set)."""
    import pytest

    reason = browser_unavailable()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"{what} cannot run in CI: {reason}")
        pytest.skip(f"{what} skipped: {reason}")


@contextlib.contextmanager
def lab_and_browser(present=False):
    """A private JupyterLab (``Lab(present=...)``) and Chromium, both stopped on exit."""
    from playwright.sync_api import sync_playwright

    lab = Lab(present=present)
    try:
        with sync_playwright() as playwright:
            chromium = open_browser(playwright)
            yield lab, chromium
            chromium.close()
    finally:
        lab.stop()


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Lab:
    """A private JupyterLab server on the course, started and stopped by its PID.

    Parameters
    ----------
    present : bool
        Also read the presenter's settings (large fonts, …) from tools/present/labconfig, through
        ``JUPYTER_CONFIG_PATH`` exactly as `make present` does.
    """

    def __init__(self, present=False):
        self.port, self.token = _free_port(), os.urandom(12).hex()
        self.home = Path(tempfile.mkdtemp(prefix="nncourse-lab-"))
        config = self.home / "config" / "labconfig"
        config.mkdir(parents=True)
        (config / "default_setting_overrides.json").write_text(json.dumps(SETTING_OVERRIDES))
        env = dict(os.environ, JUPYTER_CONFIG_DIR=str(self.home / "config"),
                   JUPYTERLAB_SETTINGS_DIR=str(self.home / "settings"),
                   JUPYTERLAB_WORKSPACES_DIR=str(self.home / "workspaces"),
                   JUPYTER_RUNTIME_DIR=str(self.home / "runtime"),
                   IPYTHONDIR=str(ROOT / "tests" / "ipython"))
        if present:
            env["JUPYTER_CONFIG_PATH"] = str(PRESENT_CONFIG)
        command = [str(Path(sys.executable).parent / "jupyter"), "lab", "--no-browser", f"--port={self.port}",
                   "--ServerApp.ip=127.0.0.1", f"--ServerApp.token={self.token}", "--ServerApp.port_retries=0",
                   f"--ServerApp.root_dir={ROOT}"]
        if os.geteuid() == 0:
            command.append("--allow-root")
        self.log = open(self.home / "server.log", "w")
        self.process = subprocess.Popen(command, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while True:
            try:
                urllib.request.urlopen(self.url("api/status"), timeout=2)
                break
            except OSError:
                if self.process.poll() is not None or time.time() > deadline:
                    self.stop()
                    raise RuntimeError(f"JupyterLab did not start; see {self.home / 'server.log'}")
                time.sleep(0.3)

    def url(self, path):
        return f"http://127.0.0.1:{self.port}/{path}{'&' if '?' in path else '?'}token={self.token}"

    def api(self, path):
        with urllib.request.urlopen(self.url(path), timeout=5) as response:
            return json.loads(response.read())

    def save_setting(self, plugin, raw):
        """Replace the user settings of ``plugin`` (JSON text ``raw``) through the settings API."""
        request = urllib.request.Request(self.url(f"lab/api/settings/{plugin}"), method="PUT",
                                         data=json.dumps({"raw": raw}).encode(),
                                         headers={"Content-Type": "application/json"})
        urllib.request.urlopen(request, timeout=5).close()

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()
        shutil.rmtree(self.home, ignore_errors=True)


def open_browser(playwright):
    return playwright.chromium.launch(executable_path=find_chromium(), args=CHROMIUM_ARGS)


class NotebookPage:
    """One notebook opened fresh in its own workspace, with the page's console errors collected."""

    def __init__(self, lab, browser, notebook, viewport=(1400, 1000)):
        self.lab, self.notebook = lab, notebook
        self.page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
        self.console_errors = []
        self.page.on("console", lambda m: self.console_errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.console_errors.append(str(e)))
        workspace = f"nncourse{int(time.time() * 1000)}"
        self.page.goto(lab.url(f"lab/workspaces/{workspace}/tree/notebooks/{notebook}?reset"))
        self.page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=90_000)

    def _kernel_idle(self):
        sessions = [s for s in self.lab.api("api/sessions") if s["path"].endswith(self.notebook)]
        busy = not sessions or sessions[0]["kernel"]["execution_state"] != "idle"
        status = self.page.locator(".jp-StatusBar-TextItem:has-text('Idle')").count()
        return not busy and status > 0

    def run_all(self, timeout=300):
        """Run All, as a student would from the menu; returns the seconds it took."""
        deadline = time.time() + 90
        while not self._kernel_idle():
            if time.time() > deadline:
                raise TimeoutError(f"{self.notebook}: the kernel never became idle")
            time.sleep(0.5)
        start = time.time()
        for attempt in range(3):
            self.page.click(".lm-MenuBar-item:has-text('Run')")
            self.page.click(".lm-Menu-item[data-command='runmenu:run-all']")
            time.sleep(2)
            if any(p != "[ ]:" for p in self.prompts()):
                break
        while time.time() - start < timeout:
            prompts = self.prompts()
            failure = self.error_text()
            if failure:
                raise AssertionError(f"{self.notebook}: a cell raised:\n{failure}")
            if prompts and all(re.fullmatch(r"\[\d+\]:", p) for p in prompts) and self._kernel_idle():
                return time.time() - start
            time.sleep(1)
        raise TimeoutError(f"{self.notebook}: Run All did not finish in {timeout} s; prompts {self.prompts()}")

    def prompts(self):
        return [p.strip() for p in self.page.locator(".jp-CodeCell .jp-InputArea-prompt").all_inner_texts()]

    def error_text(self):
        errors = self.page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
        texts = [t for t in errors.all_inner_texts() if "Traceback" in t or re.search(r"^\w+Error\b", t, re.M)]
        return "\n".join(texts)

    def broken_widgets(self):
        return self.page.locator("text=Error displaying widget").count()

    def images(self):
        return self.page.locator("img.widget-image")

    def image_sources(self):
        return self.page.eval_on_selector_all("img.widget-image", "els => els.map(e => e.src)")

    def controls(self):
        return self.page.locator(CONTROLS)

    def move(self, index, timeout=5.0, restore=True):
        """Change control ``index`` and time it: ms from the key press (or selection, or click) to new pixels.

        Sliders move one step right (left at the end); dropdowns try the next options until the plot
        changes; checkboxes are clicked. With ``restore``, dropdowns and checkboxes are then put back,
        so the next control is tried in the notebook's own state. Returns None if nothing changed,
        "disabled" for a greyed-out control.
        """
        control = self.controls().nth(index)
        control.scroll_into_view_if_needed()
        if control.evaluate("e => e.disabled === true || !!e.closest('[disabled], .mod-disabled')"):
            return "disabled"
        kind = control.evaluate("e => e.tagName.toLowerCase() + ':' + (e.type || '')")
        if kind == "select:select-one":
            original = control.evaluate("s => s.value")
            options = control.evaluate("s => Array.from(s.options, o => o.value)")
            for option in options[options.index(original) + 1:] + options[:options.index(original)]:
                ms = self._timed(lambda: control.select_option(option), timeout)
                if ms is not None:
                    if restore:
                        self._timed(lambda: control.select_option(original), timeout)
                    return ms
            return None
        if kind == "input:checkbox":
            ms = self._timed(control.click, timeout)
            if restore:
                self._timed(control.click, timeout)
            return ms
        for key in ("ArrowRight", "ArrowLeft"):
            control.focus()
            ms = self._timed(lambda: control.press(key), timeout)
            if ms is not None:
                return ms
        return None

    def _timed(self, act, timeout):
        before = self.image_sources()
        start = time.perf_counter()
        act()
        try:
            self.page.wait_for_function("before => { const now = Array.from(document.querySelectorAll("
                                        "'img.widget-image'), e => e.src); return now.length === before.length "
                                        "&& now.some((s, i) => s !== before[i]); }", arg=before,
                                        timeout=timeout * 1000, polling="raf")
        except Exception:
            return None
        return 1000 * (time.perf_counter() - start)

    def describe(self, index):
        """A short name for control ``index``: its widget's label."""
        return self.controls().nth(index).evaluate(
            "e => { const w = e.closest('.widget-inline-hbox, .widget-checkbox, .widget-hbox'); "
            "const l = w && w.querySelector('.widget-label, label'); return l ? l.textContent.trim() : '?'; }")

    def close(self):
        self.page.close()


PROJECTOR = (1280, 720)
DECK_PLUGIN = "jupyterlab-slideshow:plugin"  # its setting "active" remembers presentation mode across page loads
DECK_STATE = """() => {
    const cells = Array.from(document.querySelectorAll('.jp-NotebookPanel .jp-Notebook .jp-Cell'));
    const having = name => cells.flatMap((c, i) => c.classList.contains(name) ? [i] : []);
    const enabled = d => { const b = document.querySelector('.jp-deck-mod-direction-' + d);
                           return !!b && !b.classList.contains('jp-mod-disabled'); };
    return {presenting: document.body.dataset.jpDeckMode === 'presenting',
            active: cells.findIndex(c => c.classList.contains('jp-mod-active')),
            on_screen: having('jp-deck-mod-onscreen'), visible: having('jp-deck-mod-visible'),
            can_go_on: enabled('forward') || enabled('down')};
}"""


class PresentationPage(NotebookPage):
    """A notebook in the presentation mode of jupyterlab-slideshow, on a projector-sized page.

    The deck shows the notebook one step at a time: a step is a cell (slide, subslide, fragment or
    continuation cell; skip and notes cells are never shown). A cell is "on screen" when the deck
    has laid it out on the current slide and "visible" when it is shown (a fragment still to come is
    on screen but transparent). Cells are numbered as in the notebook.
    """

    def __init__(self, lab, browser, notebook, viewport=PROJECTOR):
        lab.save_setting(DECK_PLUGIN, "{}")    # open in the ordinary view, whatever the last page left behind
        super().__init__(lab, browser, notebook, viewport)

    def start_presentation(self, timeout=15):
        """Select the first cell and start presentation mode there (the deck starts at the active cell)."""
        self.page.locator(".jp-NotebookPanel .jp-Notebook .jp-Cell").first.click(position={"x": 4, "y": 4})
        self.page.keyboard.press("Escape")                    # command mode: the deck's keys work there
        self.page.click(".jp-NotebookPanel-toolbar [data-jp-item-name='deck']")
        self.page.wait_for_function(f"() => ({DECK_STATE})().presenting && ({DECK_STATE})().visible.includes(0)",
                                    timeout=timeout * 1000)
        return self.deck_state()

    def deck_state(self):
        """``{"presenting", "active", "on_screen", "visible", "can_go_on"}``: where the deck is now."""
        return self.page.evaluate(DECK_STATE)

    def step(self, timeout=5, key="Space"):
        """Press Space (or ``key``: PageDown is what a presenter's clicker sends), as a presenter does:
        the next fragment, subslide or slide.

        Returns the new :meth:`deck_state`, or None at the end of the deck.
        """
        before = self.deck_state()
        if not before["can_go_on"]:
            return None
        self.page.keyboard.press(key)
        self.page.wait_for_function(f"before => {{ const s = ({DECK_STATE})(); return s.active !== before "
                                    "&& s.visible.includes(s.active); }", arg=before["active"], timeout=timeout * 1000)
        return self.deck_state()

    def cell_controls(self, cell):
        """Indices (for :meth:`move`) of the controls in cell ``cell``: sliders first."""
        return self.page.evaluate("""([cell, selector]) => {
            const all = Array.from(document.querySelectorAll(selector));
            const node = document.querySelectorAll('.jp-NotebookPanel .jp-Notebook .jp-Cell')[cell];
            const mine = all.flatMap((e, i) => node.contains(e) ? [i] : []);
            const slider = i => all[i].classList.contains('noUi-handle') ? 0 : 1;
            return mine.sort((a, b) => slider(a) - slider(b) || a - b);
        }""", [cell, CONTROLS])

    def cell_images(self, cell):
        """The live plots (``img.widget-image``) in cell ``cell``."""
        return self.page.locator(".jp-NotebookPanel .jp-Notebook .jp-Cell").nth(cell).locator("img.widget-image")

    def outside_viewport(self, locator):
        """How far (px) ``locator``'s box sticks out of the page's viewport; 0 when wholly inside."""
        box = locator.bounding_box()
        if box is None:
            return float("inf")
        width, height = self.page.viewport_size["width"], self.page.viewport_size["height"]
        return max(0.0, -box["x"], -box["y"], box["x"] + box["width"] - width, box["y"] + box["height"] - height)

    def font_size(self, selector):
        """The computed font size (px) of the first visible element matching ``selector``."""
        return self.page.evaluate("""selector => {
            const shown = e => { const cell = e.closest('.jp-Cell');
                return e.getClientRects().length > 0 && !!cell && cell.classList.contains('jp-deck-mod-visible'); };
            const e = Array.from(document.querySelectorAll(selector)).find(shown);
            return e ? parseFloat(getComputedStyle(e).fontSize) : null; }""", selector)

    def slide_layout(self):
        """How the current slide is laid out: ``{"height": px, "code": {cell: lines}, "code_px": px}``.

        ``height`` is that of the slide's cells together (taller than the page: the presenter must
        scroll); ``code`` gives the code cells whose code the slide shows, with their number of lines;
        ``code_px`` is the height of the tallest code box on screen.
        """
        return self.page.evaluate("""() => {
            const cells = Array.from(document.querySelectorAll('.jp-NotebookPanel .jp-Notebook .jp-Cell'));
            const shown = cells.flatMap((c, i) => c.classList.contains('jp-deck-mod-onscreen') ? [i] : []);
            const boxes = shown.map(i => cells[i].getBoundingClientRect());
            const code = {};
            for (const i of shown) {
                if (!cells[i].classList.contains('jp-CodeCell')) continue;
                const input = cells[i].querySelector('.jp-Cell-inputWrapper');
                if (input && input.getClientRects().length) code[i] = input.querySelectorAll('.cm-line').length;
            }
            const editors = shown.flatMap(i => Array.from(cells[i].querySelectorAll('.jp-InputArea-editor .cm-editor')))
                .filter(e => e.getClientRects().length).map(e => e.getBoundingClientRect().height);
            return {height: Math.max(...boxes.map(b => b.bottom)) - Math.min(...boxes.map(b => b.top)), code,
                    code_px: Math.max(0, ...editors)};
        }""")

    def stop_presentation(self, timeout=5):
        """Leave presentation mode (Escape, as on the keyboard)."""
        self.page.keyboard.press("Escape")
        self.page.wait_for_function(f"() => !({DECK_STATE})().presenting", timeout=timeout * 1000)
