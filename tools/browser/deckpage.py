"""A reveal.js deck open in Chromium, for tests/test_decks.py and tools/paginate_slides.py."""


class DeckPage:
    """A deck open in Chromium with non-local requests blocked and every failure recorded."""

    def __init__(self, browser, url, local_prefix):
        self.page = browser.new_page(viewport={"width": 1280, "height": 720})
        self.errors, self.failed, self.blocked, self.requests = [], [], [], []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("requestfailed", lambda r: self.failed.append(f"{r.url} ({r.failure})"))
        self.page.on("response", lambda r: self.failed.append(f"{r.url} (HTTP {r.status})") if r.status >= 400 else None)

        def gate(route):
            url = route.request.url
            self.requests.append(url)
            if url.startswith(local_prefix) or url.startswith("data:"):
                route.continue_()
            else:
                self.blocked.append(url)
                route.abort()

        self.page.route("**/*", gate)
        self.page.goto(url)
        self.page.wait_for_function("window.Reveal && Reveal.isReady()", timeout=30_000)
        self.page.wait_for_function("window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=30_000)
        self.page.evaluate("MathJax.startup.promise")

    def evaluate(self, script):
        return self.page.evaluate(script)

    def close(self):
        self.page.close()
