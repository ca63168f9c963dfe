"""Kafka without Faust: security options, topic names and creation, lag, publishing.

``security`` turns the settings into kafka-python, aiokafka and Faust
options, ``names`` names the worker's internal topics, ``topics`` creates the
missing topics, ``lag`` measures the consumer group's lag, ``publish``
publishes JSON lines and ``log_throttle`` quiets the Kafka client loggers.

May import ``streams.settings``, ``streams.errors`` and ``streams.ingest``'s
pure decoding; Faust only for its credential types (``security``).
"""
