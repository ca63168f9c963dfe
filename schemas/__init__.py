"""Event contract: pydantic models of the events, their JSON Schemas, a msgspec fast path."""
