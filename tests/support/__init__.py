"""Helpers shared by the test modules; the only package under ``tests/`` a test may import.

A test module never imports another test module: whatever two modules share lives here
(tests/static/test_test_tree.py checks it). Fixtures stay in conftest.py files.

Everywhere
- ``paths``: the project root and ``tests/fixtures/`` (no ``Path(__file__).parents`` counting).
- ``factories``: valid event dicts (alert, deploy, ticket; required fields, deterministic ids),
  ``at()`` times after ``BASE_TIME``, ``as_line()``.
- ``strategies``: Hypothesis strategies used by more than one test module (random histories of
  one key, hostile JSON values, vendor payload field values).

The engine and the edge (unit tests)
- ``engine``: drives the pure correlation engine from factory events (``run``, ``Engine``,
  ``Engine.idle``); short builders for scripted histories (``fire``, ``clear``, ``tkt``,
  ``dep``), ``DAY`` and ``ms()``.
- ``reference_engine``: the engine re-deriving everything on every event (the previous
  version, its state layout included), the oracle of the incremental one;
  ``engine_pair``: both driven side by side and compared after every step (``Pair``), and
  ``check_index`` (a state's index against one built from scratch).
- ``rejections``: why input is refused: ``rejection()`` of the contract, ``invalid()`` and
  ``reason()`` of ``decode()``, ``decode_entry()`` / ``assert_dead_letter()`` for the hostile
  corpus and its dead-letter records.
- ``event_inputs``: JSON bytes of valid, nearly valid and broken events (``raw_events``) and
  ``assert_same_event()``; the equivalence properties of the fast path and ``decode()``.
- ``recording_client``: a stand-in clickhouse-connect client for sink unit tests: records the
  prepared inserts (``create_insert_context``, ``data_insert``), fails the test on any other
  call (values reach ClickHouse only as bound column data), ``fail_next`` fails inserts.
- ``hostile_corpus``: the index of the hostile-message corpus (files in
  ``tests/fixtures/hostile/``): topic, expected reason prefix, what each message tests.
- ``github_payloads``, ``jira_payloads``, ``pagerduty_payloads``: the vendor webhook payloads of
  the adapter tests (hand-made for GitHub; ``tests/fixtures/jira/`` and
  ``tests/fixtures/pagerduty/`` for the others) and the one-event check of a conversion;
  ``gitlab_payloads``, ``argocd_payloads``, ``jenkins_payloads``, ``servicenow_payloads``: the
  same for those sources (``tests/fixtures/<source>/``).
- ``alerting_payloads``: the Grafana, Azure Monitor and Datadog fixtures, a Grafana notification
  builder and signer; ``observability_payloads``: the Opsgenie, New Relic and Splunk fixtures.
- ``cdevents_payloads``: the CDEvents spec examples (``tests/fixtures/cdevents/``) and the
  CloudEvents requests built from them (binary, structured, batch); ``cdevents_history``: the
  scripted history as CDEvents, and the native history cut to what CDEvents can carry.
- ``gateway_requests``: the one way to send requests to the gateway: ``Gateway`` (the real
  app serving the sources of a ``Settings`` in-process, a recording publisher, several requests
  to one app), ``post()`` (one request to a fresh one), ``Answer``; ``post_json()`` for a
  gateway process.
- ``gateway_routes``: every route of the gateway (from ``build_sources``) with a valid request and
  how to authenticate it (the gateway token, each source's own signer), under settings with every
  secret and the token set; a route it does not know fails the hostile tests.
  ``hostile_requests``: hostile bodies for any route (not JSON, not UTF-8, not an object, too
  deep, too big, wrong types) and the checks every refusal and every answer must pass.
- ``history_payloads``: the saved REST histories of ``tests/fixtures/{github,jira,pagerduty}/``
  as documents, their import, and the live webhook events of the same incidents.
- ``sns_messages``: SNS messages signed with a local test key (``Trusted`` store, envelopes of
  the CloudWatch alarm fixtures in ``tests/fixtures/sns/``) and AWS's own signed messages.

Real processes (integration and reliability tests)
- ``processes``: the real CLI, worker and gateway as subprocesses; status page, settings as
  environment, consuming a topic.
- ``scripted_history``: the scripted history with hand-computed incidents and ``check()``;
  ``scripted_stream``: publishing it shuffled through a real worker, waiting until it settled,
  reading ``mttr.incidents FINAL``. Shared by the correlation, crash, restart, outage and
  rebalance tests.
- ``kafka_topics``: publishing factory-style events to their source topics; rewinding a
  stopped worker group's committed offsets on a topic (replays).
- ``faults``: what the fault tests count (status counters, topic sizes, events stored).
- ``worker_group``: several worker processes in one group (``member()``, partition
  ``assignments()``, ``wait_members()``, ``settle_all()``); shared by the rebalance and
  several-workers tests.
- ``reference_store``: the pure engine's incidents for a history (``expected_incidents``),
  loaded with the events into a database of their own (``load_reference``) so views can be
  compared; ``stored_incidents``, ``comparable``, ``event_counts``.
- ``private_broker``: a Kafka broker of one test's own that it may stop, kill and restart.
- ``prometheus_install``: installs Debian's Prometheus and Alertmanager when missing (service
  starts blocked) and checks that no daemon of theirs runs; ``prometheus_stack``: the scrape
  target, Prometheus and Alertmanager as subprocesses on free loopback ports, HTTP and query
  helpers.
- ``npm_fixtures``: test data shipped as npm packages, installed once into ``.cache/npm/``.
- ``webhooks``: a local stand-in for a Teams Workflows webhook (scripted answers, then 202,
  signed path checked) and readers of the posted Adaptive Card (``card``, ``facts``,
  ``texts``, ``links``); used by the notice unit, agent and integration tests.

Views, dashboards and the HTML report
- ``view_history``: the seeded incident history of the view tests; ``view_worked_month``: the
  hand-computed month of docs/metrics.md in it; ``view_model``: docs/metrics.md in plain
  Python, the reference the views are compared with; ``view_database``: the seeded chDB
  handle and ``assert_same()``.
- ``view_changes``: the change events and deploy commits added to the seeded history;
  ``lead_time_model``: lead time for changes (docs/metrics.md) change by change, the
  reference of ``change_lead_times``, ``pending_changes`` and the new ``dora_monthly``
  columns; ``team_model``: the ownership periods loaded with the history and the per-team
  views in plain Python.
- ``lead_time_cases``: the hand-made lead-time cases as contract events through the worker's
  rows; ``view_steps``: a fresh database fed and read step by step (chDB in a child process).
- ``snapshot_views``: every view read as comparable rows (``rows_of``, ``all_views``),
  ``differing_from_live()`` (what a snapshot must reproduce), small incident rows to feed them.
- ``grafana_dashboards``: the provisioned dashboards, their panel targets and template
  variables; ``grafana_queries``: expands a panel's SQL as Grafana and the ClickHouse plugin
  do; ``dashboard_seed``: the incidents and deploys the dashboard tests query.
- ``report_history``: the history the HTML report tests seed, building the report;
  ``chromium``: headless Chromium offline, the DOM and the screenshot it gives.
- ``ownership``: the March incidents of the ownership tests (an owner change mid-month),
  the ownership and Backstage files they load, ``by_team()`` reading ``mttr.mttr_by_team``.
- ``availability_model``: ``mttr.availability_monthly`` in plain Python (interval unions month
  by month) and the objectives loaded with the seeded history; ``availability_cases``: the
  hand-computed months of the availability tests and the objectives files they load.
- ``reference_loads``: what the ownership and objectives tests share: the CLI groups run
  in-process (``run_cli``, the help and bad-option checks), a seeded database (``seeded``),
  files to load (``write_file``), a worker held for the block (``running_worker``) and a POST
  to its page (``post_load``).
- ``review_model``: ``mttr.review_compliance`` and ``mttr.recurring_failures`` in plain Python,
  and the fingerprints and postmortems given to the seeded history (``add_reviews``);
  ``review_cases``: the hand-computed reviews and recurrences of docs/metrics.md.
"""
