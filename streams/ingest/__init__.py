"""The pure edge and the ingest batch step: raw bytes to stored and forwarded events.

``decode`` validates raw messages, ``deadletter`` builds dead letters and the
invalid-ratio limit, ``bundle`` groups forwarded events by service, ``rows``
turns events into ``mttr.events`` rows, ``progress`` tracks the source
partitions and the input watermark, ``pipeline`` runs one batch and ``types``
holds the types other layers hand to it (``RawMessage``, ``SendDeadLetter``).

May import ``schemas``, ``streams.engine``, ``streams.errors``,
``streams.retry`` and the ``streams.storage`` sink; never Kafka or Faust.
"""
