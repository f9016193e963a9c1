# Kernels started by the test suite print tracebacks without ANSI colours (readable in CI logs).
c.InteractiveShell.colors = "nocolor"  # noqa: F821
