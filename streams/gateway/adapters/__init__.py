"""Pure converters from a source's webhook payload to event-contract dicts (no I/O)."""
