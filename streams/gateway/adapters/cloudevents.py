"""The CloudEvents 1.0 HTTP binding: the CloudEvents of one request, in any content mode.

CloudEvents spec v1.0.2, ``bindings/http-protocol-binding.md``; JSON format
``formats/json-format.md``. ``read(body, headers)`` tells the mode from the
request and returns its CloudEvents:

* **binary**: the attributes are ``ce-*`` headers (``ce-specversion``,
  ``ce-id``, ``ce-source``, ``ce-type`` required, ``ce-time`` optional) and
  the body is the event data, ``Content-Type: application/json``.
* **structured**: ``Content-Type: application/cloudevents+json``; the body is
  one JSON object holding the attributes and the data under ``data``.
* **batch**: ``Content-Type: application/cloudevents-batch+json``; the body is
  a JSON array of structured CloudEvents. An item with bad attributes is named
  in ``Request.rejected`` and the others are kept.

A ``CloudEvent`` does not copy its data: it keeps the parsed document and the
JSON path of the data in it, so a later ``PayloadError`` names the exact path
(``subject.id`` in binary mode, ``data.subject.id`` structured,
``2.data.subject.id`` in a batch). Only ``specversion`` 1.0 and JSON data are
accepted; anything else is a ``PayloadError`` saying what was expected.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from streams.gateway.adapters.base import PayloadError
from streams.gateway.adapters.payload import parse_json, require

SPECVERSION = "1.0"
STRUCTURED = "application/cloudevents+json"
BATCH = "application/cloudevents-batch+json"
REQUIRED = ("specversion", "id", "source", "type")
NOT_A_CLOUDEVENT = (
    "not a CloudEvent: send it in binary mode (ce-specversion, ce-id, ce-source and ce-type "
    "headers, Content-Type: application/json) or structured mode (Content-Type: "
    f"{STRUCTURED}), or a batch ({BATCH})"
)


@dataclass(frozen=True)
class CloudEvent:
    """One CloudEvent of a request: its attributes and where its data sits.

    Attributes:
        id: The ``id`` attribute (unique per ``source``).
        source: The ``source`` attribute.
        type: The ``type`` attribute.
        time: The ``time`` attribute, if sent.
        root: The parsed document holding the data (the body, or the batch array).
        data_path: Dotted path of the data in ``root``; empty when ``root`` is the data.
        attribute_names: How error messages name each attribute, e.g. ``ce-type header``.
    """

    id: str
    source: str
    type: str
    time: str | None
    root: Any = field(repr=False)
    data_path: str
    attribute_names: Mapping[str, str] = field(repr=False)

    @property
    def data(self) -> Any:
        """Return the event data (already parsed JSON)."""
        return require(self.root, self.data_path, object) if self.data_path else self.root

    def path(self, path: str) -> str:
        """Return the dotted path of ``path`` of the data within the request document."""
        return f"{self.data_path}.{path}" if self.data_path else path

    def named(self, attribute: str) -> str:
        """Return how an error message names ``attribute`` (header or JSON path)."""
        return self.attribute_names.get(attribute, attribute)


@dataclass(frozen=True)
class Request:
    """The CloudEvents of one request; ``rejected`` names batch items with bad attributes."""

    events: list[CloudEvent]
    batch: bool = False
    rejected: list[str] = field(default_factory=list)


def read(body: bytes, headers: Mapping[str, str]) -> Request:
    """Return the CloudEvents of one HTTP request.

    Args:
        body: The raw request body.
        headers: The request headers (any case).

    Returns:
        One event in binary or structured mode; in batch mode every item with
        valid attributes, the others named in ``rejected``.

    Raises:
        PayloadError: The request is no CloudEvent, its attributes are missing
            or wrong (``specversion`` other than 1.0), its data is not JSON, or
            no item of a batch is usable.
    """
    folded = {name.lower(): value for name, value in headers.items()}
    media = folded.get("content-type", "").split(";")[0].strip().lower()
    if media == STRUCTURED:
        return Request(events=[_structured(parse_json(body), "")])
    if media == BATCH:
        return _batch(parse_json(body))
    if media.startswith("application/cloudevents"):
        msg = f"Content-Type: {media!r} is not a supported CloudEvents format (JSON only)"
        raise PayloadError(msg)
    if "ce-specversion" in folded:
        return Request(events=[_binary(body, folded, media)])
    raise PayloadError(NOT_A_CLOUDEVENT)


def _binary(body: bytes, headers: Mapping[str, str], media: str) -> CloudEvent:
    names = {name: f"ce-{name} header" for name in (*REQUIRED, "time")}
    values = {}
    for name in REQUIRED:
        value = headers.get(f"ce-{name}")
        if value is None or not value.strip():
            msg = f"{names[name]}: missing" if value is None else f"{names[name]}: empty"
            raise PayloadError(msg)
        values[name] = value
    _check_specversion(values["specversion"], names["specversion"])
    if media and media != "application/json" and not media.endswith("+json"):
        msg = f"Content-Type: expected application/json (the CDEvent), got {media!r}"
        raise PayloadError(msg)
    return CloudEvent(
        id=values["id"],
        source=values["source"],
        type=values["type"],
        time=headers.get("ce-time"),
        root=parse_json(body),
        data_path="",
        attribute_names=names,
    )


def _structured(root: Any, prefix: str) -> CloudEvent:
    """Read the structured CloudEvent at ``prefix`` (``""`` or ``"3"``) of ``root``."""
    where = f"{prefix}." if prefix else ""
    envelope = require(root, prefix, dict) if prefix else root
    if not isinstance(envelope, dict):
        msg = f"body: expected a CloudEvent (JSON object), got {type(envelope).__name__}"
        raise PayloadError(msg)
    names = {name: f"{where}{name}" for name in (*REQUIRED, "time")}
    values = {name: require(root, names[name]) for name in REQUIRED}
    for name, value in values.items():
        if not value.strip():
            msg = f"{names[name]}: must not be empty"
            raise PayloadError(msg)
    _check_specversion(values["specversion"], names["specversion"])
    content_type = envelope.get("datacontenttype")
    if content_type is not None:
        media = require(root, f"{where}datacontenttype").split(";")[0].strip().lower()
        if media != "application/json" and not media.endswith("+json"):
            msg = f"{where}datacontenttype: expected application/json, got {content_type!r}"
            raise PayloadError(msg)
    if "data_base64" in envelope:
        msg = f"{where}data_base64: a CDEvent is JSON; send it as {where}data"
        raise PayloadError(msg)
    require(root, f"{where}data", dict)
    time = envelope.get("time")
    return CloudEvent(
        id=values["id"],
        source=values["source"],
        type=values["type"],
        time=time if isinstance(time, str) else None,
        root=root,
        data_path=f"{where}data",
        attribute_names=names,
    )


def _batch(root: Any) -> Request:
    if not isinstance(root, list):
        msg = f"body: a CloudEvents batch is a JSON array, got {type(root).__name__}"
        raise PayloadError(msg)
    if not root:
        msg = "body: the batch is empty"
        raise PayloadError(msg)
    events, rejected = [], []
    for index in range(len(root)):
        try:
            events.append(_structured(root, str(index)))
        except PayloadError as exc:
            rejected.append(str(exc))
    if not events:
        raise PayloadError("; ".join(rejected))
    return Request(events=events, batch=True, rejected=rejected)


def _check_specversion(value: str, name: str) -> None:
    if value != SPECVERSION:
        msg = f"{name}: expected {SPECVERSION!r} (CloudEvents 1.0), got {value!r}"
        raise PayloadError(msg)
