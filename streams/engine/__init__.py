"""Pure correlation: events of one (service, environment) key into incidents.

``members`` are the compact event snapshots kept in state, ``segment`` splits
a key's events into incident segments, ``incident`` derives an incident's
fields and row, ``correlate`` is the engine (``apply_event``,
``complete_idle``, ``copy_state``) and ``forgetting`` prunes what no future
event can change.

May import ``schemas`` and ``streams.errors``; never Kafka, Faust, ClickHouse
or aiohttp, nor any other layer of ``streams``.
"""
