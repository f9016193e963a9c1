"""What fits on a student's screen: JupyterLab at 1280×800 with the file browser open.

PROVISIONAL values (the browser tests measure and pin them; see tests/test_browser.py).
"""
BODY_FONT_PX = 14        # rendered Markdown body text
OUTPUT_WIDTH_PX = 760    # widest image an output area shows unshrunk
CODE_COLUMNS = 100       # monospace characters a code cell shows without cutting
OUTPUT_COLUMNS = 100     # characters of printed output per line without wrapping
