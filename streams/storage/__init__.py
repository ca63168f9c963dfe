"""ClickHouse: connection and migrations, sinks, incident writes, snapshots, reports.

``clickhouse`` connects (chDB or HTTP) and migrates, ``sink`` buffers and
inserts rows, ``incident_writer`` writes a batch's incident rows and dead
letters durably, ``snapshots`` refreshes the view snapshots and ``report``
holds the MTTR report query.

May import ``streams.settings``, ``streams.errors``, ``streams.retry``,
``streams.engine`` and ``streams.ingest``; never Faust.
"""
