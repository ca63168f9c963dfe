"""The Faust code the worker's lean consume path copies or mirrors has not changed.

``streams/worker/faust_compat/drain.py`` is a copy of Faust's
``Consumer._drain_messages`` with the delivery run inline,
``faust_compat/stream.py`` does per message what Faust's stream iterator does
and batches as ``Stream.take_events`` does, and ``faust_compat/raw_schema.py``
decodes as Faust's ``raw`` serializer does. All three were checked against
faust-streaming 0.15.3. A new Faust may change any of them without changing
a name, so the sources are pinned by hash: when one differs, read the new
Faust code against the module named in the failure, carry the change over
(or drop the copy), then update the hash here, the version below and the
pin in ``pyproject.toml``.
"""

from __future__ import annotations

import hashlib
import inspect
import re
import tomllib
from importlib import metadata
from pathlib import Path
from typing import Any

import faust
import pytest
from faust import streams
from faust.app.base import App
from faust.serializers import codecs, registry, schemas
from faust.transport import conductor, consumer
from mode import services

from streams.worker.faust_compat import drain
from streams.worker.faust_compat import stream as ours
from tests.support.paths import ROOT

CHECKED = "0.15.3"
DRAIN = "streams/worker/faust_compat/drain.py"
STREAM = "streams/worker/faust_compat/stream.py"
SCHEMA = "streams/worker/faust_compat/raw_schema.py"
FAUST = Path(faust.__file__).parent

# (Faust code, sha256 of its source (first 16 hex digits), the module to re-check)
PINS: list[tuple[Any, str, str]] = [
    (consumer.Consumer._drain_messages, "44a2500309e83c63", DRAIN),  # copied
    (consumer.Consumer.getmany, "4b168d84882a70d6", DRAIN),  # nothing once the flow stops
    (conductor.Conductor._compile_message_handler, "9fbc0538097aa4ec", DRAIN),  # run inline
    (services.Service.wait_first, "feade6a31f8a6789", DRAIN),  # the cancellation kept
    (streams.Stream.take_events, "607d48aead118ba8", STREAM),  # batches, acks
    (streams.Stream.__aiter__, "e815c0e831f1d2cc", STREAM),  # the compiled iterator runs
    (streams.Stream._c_aiter, "fa44582a5882e9df", STREAM),
    (streams.Stream._py_aiter, "3a48ee257a65435b", STREAM),  # per message
    (streams.Stream.ack, "32d7171a89b0931d", STREAM),  # Stream._acknowledge
    (schemas.Schema.compile, "d46eec5ce3195b2c", SCHEMA),
    (schemas.Schema.loads_key, "9adc30303f20915c", SCHEMA),
    (schemas.Schema.loads_value, "61a4628b4e0966e6", SCHEMA),
    (registry.Registry.loads_key, "75262a2361a3bd25", SCHEMA),
    (registry.Registry.loads_value, "a9a8d9f63e03744f", SCHEMA),
    (registry.Registry._prepare_payload, "0740e90d2a9088fa", SCHEMA),
    (codecs.raw, "1427af60d89227ab", SCHEMA),
    (App.create_event, "15fea3d1e95e6625", SCHEMA),
]
FILES = [
    ("_cython/streams.pyx", "0041622f4a251188", STREAM),  # the compiled iterator, per message
    ("transport/_cython/conductor.pyx", "dde1f974267881cf", DRAIN),  # the delivery run inline
]


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _advice(what: str, module: str) -> str:
    return (
        f"faust-streaming {metadata.version('faust-streaming')} changed {what} (checked: "
        f"{CHECKED}): re-check {module} against it, then update tests/static/test_faust_pins.py"
        " and the faust-streaming pin in pyproject.toml"
    )


def _name(pin: Any) -> str:
    return getattr(pin, "__qualname__", "")


@pytest.mark.parametrize(("code", "digest", "module"), PINS, ids=_name)
def test_faust_code_is_the_one_checked(code: Any, digest: str, module: str) -> None:
    assert _digest(inspect.getsource(code)) == digest, _advice(code.__qualname__, module)


@pytest.mark.parametrize(("path", "digest", "module"), FILES)
def test_faust_compiled_sources_are_the_ones_checked(path: str, digest: str, module: str) -> None:
    assert _digest((FAUST / path).read_text()) == digest, _advice(path, module)


def test_the_compiled_iterator_and_conductor_are_installed() -> None:
    """The stream and drain modules mirror the compiled paths; the pure-Python ones differ."""
    assert streams._CStreamIterator is not None, _advice("its compiled extension", STREAM)
    assert conductor.ConductorHandler is not None, _advice("its compiled extension", DRAIN)


def test_overridden_signatures() -> None:
    def names(function: Any) -> list[str]:
        return list(inspect.signature(function).parameters)

    assert names(consumer.Consumer._drain_messages) == names(drain.DrainMixin._drain_messages)
    assert names(streams.Stream.take_events) == names(ours.Stream.take_events)


def test_pyproject_pins_the_checked_version() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = [d for d in project["dependencies"] if re.match(r"faust-streaming\b", d)]
    assert pins == [f"faust-streaming=={CHECKED}"]
    assert metadata.version("faust-streaming") == CHECKED, _advice("its version", DRAIN)
