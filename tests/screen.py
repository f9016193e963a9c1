"""What a notebook page shows a student on a laptop: JupyterLab 4 in Chromium at 1280×800, file browser open.

Measured in that page (tools/browser/labdriver.py: ``NotebookPage``, ``STUDENT_SCREEN``; a fresh ``?reset``
workspace opens with the file browser in the left sidebar, 250 px wide) by
``NotebookPage.screen_metrics()`` after Run All, and re-measured in every notebook by
tests/test_browser.py (``test_the_screen_constants_still_hold``), so they cannot go stale:

- ``BODY_FONT_PX``: the computed font size of a rendered Markdown paragraph (``.jp-RenderedMarkdown p``).
- ``OUTPUT_WIDTH_PX``: the content width of an output area that holds an image or a widget. A
  picture (figure or live plot) wider than this is shrunk to fit (``max-width: 100%``); one no
  wider is shown at its natural size, one PNG pixel to one CSS pixel.
- ``CODE_COLUMNS``: characters of the code font (13 px DejaVu Sans Mono here, 7.83 px a character;
  Menlo on a Mac has the same advance, Consolas a narrower one) that fit on a line of a code cell's
  editor; a longer line runs past the right edge and the editor scrolls it sideways (cut off).
- ``OUTPUT_COLUMNS``: characters that fit on a line of printed output (stdout); a longer line
  wraps, mid-word (JupyterLab breaks printed lines anywhere).

Counted in characters of single width: a CJK character takes two columns.
"""

SCREEN = (1280, 800)        # the page, CSS px, device pixel ratio 1
FILE_BROWSER_PX = 250       # the file browser's width in a fresh workspace
BODY_FONT_PX = 14
OUTPUT_WIDTH_PX = 848
CODE_COLUMNS = 107
OUTPUT_COLUMNS = 107
