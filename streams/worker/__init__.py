"""The Faust shell of the worker: app, agents, tables, timers, pages and metrics.

``build`` wires everything (``build_worker``), ``app`` creates the Faust app,
its topics and tables, ``agents`` holds the thin ``ingest`` and ``correlate``
agents, ``batches`` the hold-until-written wrapper of every agent (``notify``
too), ``correlation_step`` runs forwarded events through the engine,
``counters`` the status totals, ``metrics`` the Prometheus registry,
``web`` the HTTP pages (``owners_page`` the ownership one), ``sends`` what
the worker produces to Kafka, ``staged_table``, ``snapshot_refresh``,
``source_offsets`` and ``faust_compat`` (the one module naming Faust's
private parts, and Faust's transport with its fixes) the rest.

The Faust layer (besides it only the ``notify`` agent and the credential
types in ``streams.kafka.security`` import Faust); may import every other
layer except ``streams.cli`` and ``streams.devtools``.
"""
