"""``mttr report --html``: one self-contained HTML page with the MTTR charts.

``collect()`` (data.py) runs the read-only queries and returns JSON-able data;
``render()`` (page.py) turns that data into the page, whose inline script
(script.py) draws the charts as SVG. Only ``collect()`` does I/O.
"""

from streams.present.html_report.data import collect
from streams.present.html_report.page import render

__all__ = ["collect", "render"]
