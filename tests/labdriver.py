"""Drive a real JupyterLab in Chromium (Playwright): start a private server, run a notebook, move its widgets.

Used by tests/test_browser.py and benchmarks/browser_latency.py. The server gets its own port,
token, settings, workspaces and runtime folders, so nothing of the user's Jupyter set-up leaks in,
and it is stopped by its PID. Chromium is Debian's (/usr/bin/chromium): never `playwright install`.
"""
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
CONTROLS = ".widget-slider .noUi-handle, .widget-dropdown select, .widget-checkbox input[type=checkbox]"


def find_chromium():
    """Debian's Chromium, or None."""
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return None


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Lab:
    """A private JupyterLab server on the course, started and stopped by its PID."""

    def __init__(self):
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

    def __init__(self, lab, browser, notebook):
        self.lab, self.notebook = lab, notebook
        self.page = browser.new_page(viewport={"width": 1400, "height": 1000})
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

    def move(self, index, timeout=5.0):
        """Change control ``index`` and time it: ms from the key press (or selection, or click) to new pixels.

        Sliders move one step right (left at the end); dropdowns try the next options until the plot
        changes; checkboxes are clicked. Dropdowns and checkboxes are then put back, so the next
        control is tried in the notebook's own state. Returns None if nothing changed, "disabled"
        for a greyed-out control.
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
                    self._timed(lambda: control.select_option(original), timeout)
                    return ms
            return None
        if kind == "input:checkbox":
            ms = self._timed(control.click, timeout)
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
