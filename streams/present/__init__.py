"""Presentation: terminal tables, human durations and the HTML report.

``summary`` prints the terminal tables, ``durations`` formats durations and
``html_report`` queries and renders the self-contained chart page.

May import ``streams.storage`` (queries) and ``streams.settings``; never
Kafka or Faust.
"""
