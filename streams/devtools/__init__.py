"""Development and test tooling: the local Kafka broker, simulation, processes, waiting.

``broker`` fetches and runs the single-node Kafka broker, ``simulate``
generates a realistic event history, ``processes`` stops child processes and
``wait`` waits until the worker processed everything published.

Used by the demo, the tests and the benchmarks, never by the worker or the
gateway; may import every layer except ``streams.cli``.
"""
