"""Pure correlation: events of one (service, environment) key into incidents.

``members`` are the compact event snapshots kept in state, ``segment`` splits
a key's events into incident segments and ``incident`` derives an incident's
fields and row (the rules, stated as one pass over all events);
``correlate`` is the engine (``apply_event``, ``complete_idle``,
``copy_state``). A key with few events is derived again from all of them
on every event (``rederive``); a key with more gets an index: ``index``
keeps, in the state, the walk of ``segment`` resumable and reversible
(``scan``) with each incident's aggregates (``summary``); ``insert`` places
one event, ``versions`` writes the incidents it changed, ``forgetting``
prunes what no future event can change and ``fold`` drops old events of
long incidents whose effect the index keeps.

May import ``schemas`` and ``streams.errors``; never Kafka, Faust, ClickHouse
or aiohttp, nor any other layer of ``streams``.
"""
