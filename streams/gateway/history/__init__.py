"""History import: the REST API answers of a tool, saved to files, become the live events.

``mttr import <source> FILE...`` (``streams/cli/history_import.py``) reads the
files, and the ``Importer`` of the source (``base.py``; one module per
source: ``pagerduty.py``, ``jira.py``, ``github.py``, ``opsgenie.py``,
``gitlab.py``) turns them into contract
events. Each importer builds, for every change in the history, the body the
tool's webhook carries for it and converts it with the live adapter's pure
``convert`` (``streams/gateway/adapters/``), configured from the same
settings (``streams/gateway/sources.py``, ``build_importers``). One mapping,
one id rule: importing a history and receiving the live webhooks of the same
changes stores each event once, and gives the incidents of live-only
processing (``tests/unit/gateway/test_history_equivalence.py``).

A new source needs its live adapter first, then one module here with an
``Importer`` and an entry in ``IMPORTERS`` (``streams/gateway/sources.py``).
Like the adapters, these modules are pure: no I/O, no clock.
"""
