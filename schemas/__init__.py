"""Event contract: pydantic models of alert, deploy and ticket events, and their JSON Schemas."""
