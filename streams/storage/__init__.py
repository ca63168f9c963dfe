"""ClickHouse: connection and migrations, sinks, incident writes, snapshots, reports.

``clickhouse`` connects (chDB or HTTP) and migrates, ``sink`` buffers rows
and inserts them through ``insert`` (one prepared insert per table),
``incident_writer`` writes a batch's incident rows and dead letters
durably, ``snapshots`` refreshes the view snapshots and ``report`` holds
the MTTR report query. ``owners`` is service ownership: its files and
Backstage catalogs parsed at the edge, and ``mttr.service_owners``.

May import ``streams.settings``, ``streams.errors``, ``streams.retry``,
``streams.engine`` and ``streams.ingest``; never Faust.
"""
