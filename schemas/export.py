"""Generate the JSON Schema files in ``schemas/json/`` from the pydantic models."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
from pydantic import TypeAdapter

from schemas.events import MODELS, SCHEMA_VERSION, Event

JSON_DIR = Path(__file__).with_name("json")
BASE_URI = "https://mttr.dev/schemas/v{version}/{name}"


def generated() -> dict[str, bytes]:
    """Return ``{file name: JSON bytes}`` for every event type and the union."""
    schemas: dict[str, dict[str, Any]] = {}
    for kind, model in MODELS.items():
        schemas[f"{kind}.schema.json"] = model.model_json_schema(mode="validation")
    schemas["event.schema.json"] = TypeAdapter(Event).json_schema(mode="validation")
    out = {}
    for name, schema in schemas.items():
        schema = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": BASE_URI.format(version=SCHEMA_VERSION, name=name),
            **schema,
        }
        out[name] = orjson.dumps(schema, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"
    return out


def stale_files(folder: Path = JSON_DIR) -> list[str]:
    """Return the names of committed schema files that differ from the models."""
    return [
        name
        for name, content in generated().items()
        if not (folder / name).is_file() or (folder / name).read_bytes() != content
    ]


def write(folder: Path = JSON_DIR) -> list[str]:
    """Write all schema files; returns the names written."""
    folder.mkdir(parents=True, exist_ok=True)
    files = generated()
    for name, content in files.items():
        (folder / name).write_bytes(content)
    return sorted(files)
