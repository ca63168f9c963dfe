"""An incident's fingerprint: what kind of failure it was, comparable across incidents (pure).

Two incidents of one (service, environment) with the same fingerprint are the
same failure again (docs/incident-model.md, "Fingerprint"):

* an incident in which an alert fired: the sorted distinct names of its firing
  alerts, joined by ``SEPARATOR`` (every alert has a name: the contract requires
  one, so no alert id is ever used instead);
* an incident without a firing alert (declared by a ticket, no alert joined):
  its first ticket title (the ``title`` rule), normalised by ``normalise_title``
  so that the ids, numbers and spacing that differ between two tickets about the
  same failure do not; ``""`` when none of its tickets has a title.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

SEPARATOR = " + "
"""Joins the sorted distinct alert names (``"HighErrorRate + Latency"``)."""
PLACEHOLDER = "#"
"""What every uuid, hex id and number of a ticket title becomes."""

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_HEX_ID = re.compile(r"(?<![0-9a-z])(?=[0-9a-f]*[0-9])[0-9a-f]{7,}(?![0-9a-z])")
_NUMBER = re.compile(r"[0-9]+")
_SPACE = re.compile(r"\s+")


@functools.lru_cache(maxsize=4096)
def normalise_title(title: str) -> str:
    """Return ``title`` normalised, the fingerprint of an incident without alerts.

    In this order: lowercased (``str.lower``); every uuid
    (8-4-4-4-12 hex digits) becomes ``#``; every hex id (a run of at least 7
    hex digits with at least one decimal digit, not inside a longer word, e.g.
    a commit sha or ``5c1f0e2d``) becomes ``#``; every run of ASCII digits
    becomes ``#``; every run of whitespace becomes one space; leading and
    trailing spaces go. ``"Checkout DOWN  for order 5c1f0e2d (INC-4711)"`` ->
    ``"checkout down for order # (inc-#)"``.
    """
    text = title.lower()
    text = _UUID.sub(PLACEHOLDER, text)
    text = _HEX_ID.sub(PLACEHOLDER, text)
    text = _NUMBER.sub(PLACEHOLDER, text)
    return _SPACE.sub(" ", text).strip()


def fingerprint(alert_names: Sequence[str], first_ticket_title: str | None) -> str:
    """Return the fingerprint from the sorted distinct firing alert names and the title.

    ``alert_names`` must already be sorted and distinct; when empty, the
    incident's first ticket title (None: no ticket has one) is normalised.
    """
    if alert_names:
        return SEPARATOR.join(alert_names)
    return normalise_title(first_ticket_title) if first_ticket_title else ""
