# Kernels started by the test suite print tracebacks without ANSI colours (readable in CI logs).
c.InteractiveShell.colors = "nocolor"  # noqa: F821
c.HistoryManager.enabled = False  # noqa: F821  (no history database written into the repository)
