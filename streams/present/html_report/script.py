"""The HTML report's script: draws every chart as SVG from the embedded JSON data.

Plain ES5-style JavaScript, inlined into the page: no library, no network.
Every drawn data element (bar, point, line, age bar) carries the class
``mark``; a section's ``data-marks`` is their count. Text comes from the data
only through ``textContent``, never as markup.

The script itself is the package data file ``report.js`` next to this module
(listed in ``[tool.setuptools.package-data]``), read once at import; ``SCRIPT``
is its exact text, which the page places between ``<script>`` tags unchanged.
"""

from importlib.resources import files

SCRIPT_FILE = "report.js"

SCRIPT: str = files("streams.present.html_report").joinpath(SCRIPT_FILE).read_text(encoding="utf-8")
"""The text of ``report.js``, byte for byte (it starts with a newline)."""
