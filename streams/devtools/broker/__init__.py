"""The local single-node Kafka broker used by the demo, tests and development."""
