"""Helpers shared by the test modules; the only package under ``tests/`` a test may import.

A test module never imports another test module: whatever two modules share lives here.

- ``paths``: the project root and ``tests/fixtures/`` (no ``Path(__file__).parents`` counting).
- ``factories``: valid event dicts (alert, deploy, ticket; required fields, deterministic ids),
  ``at()`` times after ``BASE_TIME``, ``as_line()``.
- ``engine``: drives the pure correlation engine from factory events (``run``, ``Engine``,
  ``Engine.idle``) and short builders for scripted histories (``fire``, ``clear``, ``tkt``,
  ``dep``).
- ``rejections``: why input is refused: ``rejection()`` of the contract, ``invalid()`` and
  ``reason()`` of ``decode()``, and ``decode_entry()`` / ``assert_dead_letter()`` for the
  hostile corpus and its dead-letter records.
- ``strategies``: Hypothesis strategies used by more than one test module (random histories of
  one key, hostile JSON values, vendor payload field values).
- ``processes``: the real CLI, worker and gateway as subprocesses; status page, settings as
  environment, consuming a topic.
- ``faults``: what the fault tests count (status counters, topic sizes, events stored).
- ``scripted_history``: the scripted history with hand-computed incidents, and its helpers to
  stream it; shared by the correlation, crash, restart, outage and rebalance tests.
- ``private_broker``: a Kafka broker of one test's own that it may stop, kill and restart.
- ``prometheus_stack``: Debian's Prometheus and Alertmanager (installed when missing), target
  and configs on free loopback ports; query helpers.
- ``grafana_queries``: expands a dashboard panel's SQL as Grafana and the ClickHouse plugin do.
- ``view_history``, ``view_model``: the seeded incident history of the view tests, and
  docs/metrics.md in plain Python (the reference the views are compared with).
- ``npm_fixtures``: test data shipped as npm packages, installed once into ``.cache/npm/``.
- ``github_payloads``, ``jira_payloads``, ``pagerduty_payloads``: the vendor webhook payloads
  of the adapter tests (hand-made for GitHub; tests/fixtures/jira/ and tests/fixtures/pagerduty/
  for the others) and ``only_event()`` / ``one_event()`` checks of a conversion.
- ``hostile_corpus``: the index of the hostile-message corpus (files in
  ``tests/fixtures/hostile/``): topic, expected reason prefix, what each message tests.
"""
