"""Drive a real JupyterLab in Chromium (Playwright): start a private server, run a notebook, move its widgets.

Used by the browser tests (tests/test_browser.py, test_presentation.py, test_decks.py), by
benchmarks/browser_latency.py and by tools/paginate_slides.py; each puts this folder (tools/browser)
on ``sys.path`` in one line (the tests in tests/conftest.py) and imports ``labdriver``. The
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

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic", "--disable-dev-shm-usage"]
SETTING_OVERRIDES = {
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/extensionmanager-extension:plugin": {"enabled": False},
    "@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"},  # every cell stays in the page
    # never write a test's outputs (or a cell a typed letter cut) into the course's notebooks
    "@jupyterlab/docmanager-extension:plugin": {"autosave": False},
}
PRESENT_CONFIG = ROOT / "tools" / "present"
LAB_CONFIG = ROOT / "tools" / "lab"
STUDENT_SCREEN = (1280, 800)    # a laptop: the page the student sees, with the file browser open
# One entry per control, in the page's order: a slider's handle, a dropdown's select, a checkbox, and the
# row of a ToggleButtons or the box of a RadioButtons (its options are the buttons or radios inside).
# A control hidden on purpose (the playground's classroom mode) carries the class nncourse-hidden: not a control.
CONTROLS = (".widget-slider:not(.nncourse-hidden) .noUi-handle, .widget-dropdown select, "
            ".widget-checkbox:not(.nncourse-hidden) input[type=checkbox], "
            ".widget-toggle-buttons:not(.nncourse-hidden), .widget-radio-box")
OPTIONS = ".widget-toggle-button, input[type=radio]"
# The live plot (a LivePlot: a VBox of a row of controls and an image) around an element, in JavaScript.
LIVE_PLOT_OF = """e => { for (let n = e; n; n = n.parentElement)
    if (n.classList.contains('widget-vbox') && Array.from(n.children).some(c => c.matches('img.widget-image')))
        return n;
    return null; }"""
LIVE_PLOTS = """Array.from(document.querySelectorAll('.jp-NotebookPanel .widget-vbox'))
    .filter(n => Array.from(n.children).some(c => c.matches('img.widget-image')))"""


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
        # the course's settings, as `make lab` and `make present` start JupyterLab
        env["JUPYTER_CONFIG_PATH"] = str(PRESENT_CONFIG if present else LAB_CONFIG)
        command = [str(Path(sys.executable).parent / "jupyter"), "lab", "--no-browser", f"--port={self.port}",
                   "--ServerApp.ip=127.0.0.1", f"--ServerApp.token={self.token}", "--ServerApp.port_retries=0",
                   f"--ServerApp.root_dir={ROOT}",
                   "--LabApp.expose_app_in_browser=True"]    # window.jupyterapp: the notebook's own cell list
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
    """One notebook opened fresh in its own workspace, with the page's console errors collected.

    The page is a student's laptop (``STUDENT_SCREEN``, 1280×800) with the file browser open on the
    left, as JupyterLab opens a fresh workspace; ``file_browser=True`` makes sure of it (it opens the
    file browser if it is closed), ``False`` leaves the layout as Lab opened it.
    """

    def __init__(self, lab, browser, notebook, viewport=STUDENT_SCREEN, file_browser=True):
        self.lab, self.notebook = lab, notebook
        self.page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
        self.console_errors = []
        self.page.on("console", lambda m: self.console_errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.console_errors.append(str(e)))
        workspace = f"nncourse{int(time.time() * 1000)}"
        self.page.goto(lab.url(f"lab/workspaces/{workspace}/tree/notebooks/{notebook}?reset"))
        self.page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=90_000)
        if file_browser:
            self.show_file_browser()

    def show_file_browser(self):
        """Open the file browser in the left sidebar (a fresh workspace already has it open); its width in px."""
        panel = self.page.locator("#filebrowser")
        if not panel.is_visible():
            self.page.click(".jp-SideBar.jp-mod-left .lm-TabBar-tab[data-id='filebrowser']")
            panel.wait_for(state="visible", timeout=10_000)
        return panel.bounding_box()["width"]

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

    def settle(self, quiet=0.3, timeout=60):
        """Wait until the kernel is idle and no live plot's picture has changed for ``quiet`` s (after a
        burst of key presses the kernel may still be drawing the pictures they asked for)."""
        deadline = time.time() + timeout
        sources = None
        while time.time() < deadline:
            if self._kernel_idle():
                now = self.image_sources()
                if now == sources:
                    return
                sources = now
            time.sleep(quiet)
        raise TimeoutError(f"{self.notebook}: the kernel and the pictures did not settle in {timeout} s")

    def prompts(self):
        return [p.strip() for p in self.page.locator(".jp-CodeCell .jp-InputArea-prompt").all_inner_texts()]

    def error_text(self):
        errors = self.page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
        texts = [t for t in errors.all_inner_texts() if "Traceback" in t or re.search(r"^\w+Error\b", t, re.M)]
        return "\n".join(texts)

    def broken_widgets(self):
        """How many widgets failed to display: "Error displaying widget" (no model) or the error box
        "Click to show javascript error" (the view threw, e.g. ImageView on a tooltip)."""
        return (self.page.locator("text=Error displaying widget").count()
                + self.page.locator(".jupyter-widgets-error-widget").count())

    def widget_errors(self):
        """The text of each widget's error box (the JavaScript error it shows when clicked)."""
        return self.page.eval_on_selector_all(".jupyter-widgets-error-widget", "els => els.map(e => e.title || e.textContent)")

    def cell_sources(self):
        """Every cell of the notebook, as the notebook model holds it: [(cell type, source)]."""
        return self.page.evaluate("""() => {
            const cells = window.jupyterapp.shell.currentWidget.content.model.cells;
            return Array.from({length: cells.length}, (_, i) => cells.get(i))
                .map(c => [c.type, c.sharedModel.getSource()]); }""")

    def images(self):
        return self.page.locator("img.widget-image")

    def image_sources(self):
        return self.page.eval_on_selector_all("img.widget-image", "els => els.map(e => e.src)")

    def controls(self):
        return self.page.locator(CONTROLS)

    def focus(self, locator):
        """Focus ``locator`` as a student does who tabs to a control and sees it focused: focusing a control
        in another cell makes that cell active, and JupyterLab may take the focus back to the notebook for a
        moment, so the focus is checked (and given again)."""
        for _ in range(20):
            locator.focus()
            if locator.evaluate("e => document.activeElement === e"):
                return
            time.sleep(0.05)

    def press(self, locator, key):
        """Focus ``locator`` (see :meth:`focus`) and press ``key``."""
        self.focus(locator)
        self.page.keyboard.press(key)

    def kind(self, index):
        """What control ``index`` is: "slider", "dropdown", "checkbox", "toggle" (buttons) or "radio"."""
        return self.controls().nth(index).evaluate(
            "e => e.matches('.noUi-handle') ? 'slider' : e.matches('select') ? 'dropdown' : "
            "e.matches('input[type=checkbox]') ? 'checkbox' : e.matches('.widget-toggle-buttons') ? 'toggle' : 'radio'")

    def options(self, index):
        """The option buttons (or radios) of a ToggleButtons (RadioButtons) control, as a locator."""
        return self.controls().nth(index).locator(OPTIONS)

    def chosen(self, index):
        """Which option of a ToggleButtons or RadioButtons control is chosen (its position), or None."""
        return self.controls().nth(index).evaluate(
            f"e => Array.from(e.querySelectorAll('{OPTIONS}')).findIndex(o => "
            "o.classList.contains('mod-active') || o.checked === true)")

    def is_disabled(self, index):
        return self.controls().nth(index).evaluate(
            "e => e.disabled === true || !!e.closest('[disabled], .mod-disabled') || !!e.querySelector(':disabled')")

    def move(self, index, timeout=5.0, restore=True, moved=None):
        """Change control ``index`` and time it: ms from the key press (or selection, or click) to new pixels.

        Sliders move one step right (left at the end) with the arrow keys; option buttons and radios
        choose the next options from the keyboard (focus the option, press Space) until the plot
        changes; dropdowns try the next options the same way (by selection); checkboxes are ticked or
        unticked with Space. The clock starts at the key press, the control already focused.
        ``moved()``, if given, is called once the plot has changed. With ``restore``, option
        buttons, radios, dropdowns and checkboxes are then put back, so the next control is tried in
        the notebook's own state. Returns None if nothing changed, "disabled" for a greyed-out
        control. Afterwards ``self.changed`` lists the images (positions among ``img.widget-image``)
        whose picture the move changed.
        """
        control = self.controls().nth(index)
        control.scroll_into_view_if_needed()
        self.changed = []
        if self.is_disabled(index):
            return "disabled"
        kind = self.kind(index)
        if kind in ("dropdown", "toggle", "radio"):
            if kind == "dropdown":
                values = control.evaluate("s => Array.from(s.options, o => o.value)")
                original = values.index(control.evaluate("s => s.value"))
                choose = lambda k: control.select_option(values[k])  # noqa: E731
            else:
                values, original = range(self.options(index).count()), self.chosen(index)
                choose = lambda k: self.page.keyboard.press("Space")  # noqa: E731  (on the focused option)
            for k in list(range(original + 1, len(values))) + list(range(original)):
                if kind != "dropdown":
                    self.focus(self.options(index).nth(k))       # before the clock starts, as for a slider
                ms = self.timed(lambda: choose(k), timeout)
                if ms is not None:
                    changed = self.changed
                    if moved:
                        moved()
                    if restore:
                        if kind != "dropdown":
                            self.focus(self.options(index).nth(original))
                        self.timed(lambda: choose(original), timeout)
                    self.changed = changed
                    return ms
            return None
        if kind == "checkbox":                        # ticked and unticked with Space, like a button
            self.focus(control)
            ms = self.timed(lambda: self.page.keyboard.press("Space"), timeout)
            changed = self.changed
            if ms is not None and moved:
                moved()
            if restore:
                self.focus(control)
                self.timed(lambda: self.page.keyboard.press("Space"), timeout)
            self.changed = changed
            return ms
        for key in ("ArrowRight", "ArrowLeft"):
            self.focus(control)
            ms = self.timed(lambda: self.page.keyboard.press(key), timeout)
            if ms is not None:
                if moved:
                    moved()
                return ms
        return None

    def timed(self, act, timeout=5.0):
        """Do ``act()`` and wait for a live plot's picture to change: the ms it took, or None after ``timeout`` s.
        ``self.changed`` then lists the pictures (positions among ``img.widget-image``) that changed."""
        before = self.image_sources()
        start = time.perf_counter()
        act()
        try:
            self.page.wait_for_function("before => { const now = Array.from(document.querySelectorAll("
                                        "'img.widget-image'), e => e.src); return now.length === before.length "
                                        "&& now.some((s, i) => s !== before[i]); }", arg=before,
                                        timeout=timeout * 1000, polling="raf")
        except Exception:
            self.changed = []
            return None
        ms = 1000 * (time.perf_counter() - start)
        self.changed = [i for i, (old, new) in enumerate(zip(before, self.image_sources())) if old != new]
        return ms

    def describe(self, index):
        """A short name for control ``index``: its widget's label (the first one shown and not blank)."""
        return self.controls().nth(index).evaluate(
            "e => { const w = e.closest('.widget-inline-hbox, .widget-checkbox, .widget-toggle-buttons, "
            ".widget-radio, .widget-hbox'); if (!w) return '?'; "
            "const l = Array.from(w.querySelectorAll('.widget-label, .widget-label-basic, label')).find(l => "
            "l.getClientRects().length && l.textContent.replace(/[\\s\\u200b]/g, '')); "
            "return l ? l.textContent.trim() : '?'; }")

    def live_plot_of(self, index):
        """The position (among the page's live plots) of the LivePlot that holds control ``index``, or None."""
        return self.controls().nth(index).evaluate(
            f"e => {{ const plot = ({LIVE_PLOT_OF})(e); const i = {LIVE_PLOTS}.indexOf(plot); return i < 0 ? null : i; }}")

    def live_plot(self, k):
        """Live plot ``k`` (a LivePlot's VBox: controls above an image), as an element handle."""
        return self.page.evaluate_handle(f"k => {LIVE_PLOTS}[k]", k).as_element()

    def live_plot_images(self):
        """For each live plot, the position of its image among ``img.widget-image``."""
        return self.page.evaluate(f"""() => {{ const all = Array.from(document.querySelectorAll('img.widget-image'));
            return {LIVE_PLOTS}.map(p => all.indexOf(Array.from(p.children).find(c => c.matches('img.widget-image')))); }}""")

    def screen_metrics(self):
        """What fits on this page, measured: the numbers tests/screen.py records.

        ``body_font_px``: the computed font size of a rendered Markdown paragraph. ``output_width_px``:
        the content width of an output area holding an image or a widget (an image wider than this
        is shrunk). ``code_columns``: how many characters of the code font fit in a code cell's
        editor before the line runs past its right edge (CodeMirror then scrolls it);
        ``output_columns``: how many fit on a printed (stream output) line before it wraps.
        Character widths come from the page's own text (a Range over the longest ASCII line).
        Values are None when the notebook shows no such element.
        """
        return self.page.evaluate("""() => {
            const panel = document.querySelector('.jp-NotebookPanel');
            const ascii = t => /^[\\x20-\\x7e]+$/.test(t);
            const charWidth = lines => {
                const best = lines.filter(l => ascii(l.textContent))
                                  .sort((a, b) => b.textContent.length - a.textContent.length)[0];
                if (!best) return null;
                const range = document.createRange(); range.selectNodeContents(best);
                return range.getBoundingClientRect().width / best.textContent.length;
            };
            const out = {file_browser_px: null, body_font_px: null, output_width_px: null,
                         code_columns: null, output_columns: null, code_char_px: null, output_char_px: null};
            const browser = document.querySelector('#filebrowser');
            if (browser && browser.getClientRects().length) out.file_browser_px = browser.getBoundingClientRect().width;
            const paragraph = panel.querySelector('.jp-MarkdownCell .jp-RenderedMarkdown p');
            if (paragraph) out.body_font_px = parseFloat(getComputedStyle(paragraph).fontSize);
            const boxes = Array.from(panel.querySelectorAll('.jp-OutputArea-output'))
                .filter(o => o.matches('.jp-RenderedImage') || o.querySelector(':scope > .jupyter-widgets'));
            if (boxes.length) out.output_width_px = Math.min(...boxes.map(o => { const s = getComputedStyle(o);
                return o.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight); }));
            const editorLines = Array.from(panel.querySelectorAll('.jp-CodeCell .jp-InputArea-editor .cm-line'));
            const codeChar = charWidth(editorLines);
            if (codeChar) {
                const line = editorLines[0], scroller = line.closest('.cm-scroller'), s = getComputedStyle(line);
                const room = scroller.clientWidth - (line.getBoundingClientRect().left - scroller.getBoundingClientRect().left)
                             - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);
                out.code_char_px = codeChar;
                out.code_columns = Math.floor(room / codeChar + 1e-6);
            }
            const pres = Array.from(panel.querySelectorAll(
                '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stdout"] pre'));
            const printed = pres.flatMap(pre => Array.from(pre.childNodes).filter(n => n.nodeType === 3));
            if (pres.length) {
                // the longest ASCII line of the printed text, measured as a Range inside its text node
                let best = null;
                for (const node of printed) {
                    let start = 0;
                    for (const line of node.textContent.split('\\n')) {
                        if (ascii(line) && (!best || line.length > best[2])) best = [node, start, line.length];
                        start += line.length + 1;
                    }
                }
                if (best) {
                    const range = document.createRange(); range.setStart(best[0], best[1]); range.setEnd(best[0], best[1] + best[2]);
                    const rects = Array.from(range.getClientRects());
                    const char = rects.reduce((w, r) => w + r.width, 0) / best[2];
                    const pre = best[0].parentElement.closest('pre'), s = getComputedStyle(pre);
                    out.output_char_px = char;
                    out.output_columns = Math.floor((pre.clientWidth - parseFloat(s.paddingLeft)
                                                     - parseFloat(s.paddingRight)) / char + 1e-6);
                }
            }
            return out;
        }""")

    def code_lines(self):
        """Every code line the editors show, as ``[text, fits]``: ``fits`` is False when the line runs
        past the editor's right edge (CodeMirror scrolls it; the student sees it cut off)."""
        return self.page.evaluate("""() => Array.from(document.querySelectorAll(
                '.jp-NotebookPanel .jp-CodeCell .jp-InputArea-editor .cm-line')).flatMap(line => {
            const text = line.textContent;
            if (!text.length) return [];
            const scroller = line.closest('.cm-scroller');
            const right = scroller.getBoundingClientRect().left + scroller.clientWidth;
            const range = document.createRange(); range.selectNodeContents(line);
            const end = range.getBoundingClientRect().right + parseFloat(getComputedStyle(line).paddingRight);
            return [[text, end <= right + 0.5]]; })""")

    def printed_lines(self):
        """Every line of printed output (stdout), as ``[text, fits]``: ``fits`` is False when the line
        wraps onto a second line on screen."""
        return self.page.evaluate("""() => Array.from(document.querySelectorAll(
                '.jp-NotebookPanel .jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stdout"] pre'))
            .flatMap(pre => {
                const walker = document.createTreeWalker(pre, NodeFilter.SHOW_TEXT), nodes = [];
                for (let n = walker.nextNode(); n; n = walker.nextNode()) nodes.push(n);
                const at = offset => { for (const n of nodes) { if (offset <= n.length) return [n, offset]; offset -= n.length; }
                                       const last = nodes[nodes.length - 1]; return [last, last.length]; };
                const text = nodes.map(n => n.textContent).join(''), rows = [];
                let start = 0;
                for (const line of text.split('\\n')) {
                    if (line.length) {
                        const range = document.createRange();
                        range.setStart(...at(start)); range.setEnd(...at(start + line.length));
                        const tops = new Set(Array.from(range.getClientRects()).filter(r => r.width > 0)
                                             .map(r => Math.round(r.top)));
                        rows.push([line, tops.size <= 1]);
                    }
                    start += line.length + 1;
                }
                return rows; })""")

    def slider_tracks(self):
        """Every slider's track: ``[label, width px]`` (the part a student drags along)."""
        return self.page.evaluate("""() => Array.from(document.querySelectorAll(
                '.jp-NotebookPanel .widget-slider:not(.nncourse-hidden)'))
            .map(s => { const l = s.querySelector('.widget-label'), t = s.querySelector('.noUi-target');
                        return [l ? l.textContent.trim() : '?', t ? t.getBoundingClientRect().width : 0]; })""")

    def readouts(self, index=None):
        """The readouts (``.widget-readout``) as ``[label, text]``: all, or those of control ``index``'s live plot."""
        script = """(e, all) => { const root = all ? document : (%s)(e) || e.closest('.widget-slider');
            return Array.from(root.querySelectorAll('.widget-slider:not(.nncourse-hidden) .widget-readout')).map(r => {
                const w = r.closest('.widget-slider'), l = w && w.querySelector('.widget-label');
                return [l ? l.textContent.trim() : '?', r.textContent.trim()]; }); }""" % LIVE_PLOT_OF
        if index is None:
            return self.page.locator("body").evaluate(script, True)
        return self.controls().nth(index).evaluate(script, False)

    def image_sizes(self):
        """Every picture in the notebook's outputs (live plots and figures): ``{"live", "shown", "natural",
        "title", "alt"}``, the widths in CSS px as displayed and as the PNG has them."""
        return self.page.evaluate("""() => Array.from(document.querySelectorAll(
                '.jp-NotebookPanel .jp-OutputArea-output img')).map(i => ({
            live: i.matches('.widget-image'), shown: i.getBoundingClientRect().width, natural: i.naturalWidth,
            title: i.title || '', alt: i.alt || ''}))""")

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
        super().__init__(lab, browser, notebook, viewport, file_browser=False)

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
