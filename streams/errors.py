"""The project's exceptions: one base class and a few meaningful subclasses."""

from __future__ import annotations


class MttrError(Exception):
    """Base class of every error this project raises on purpose."""


class ConfigError(MttrError):
    """Settings are missing or inconsistent (bad URL, unreadable secret file, ...)."""


class BrokerError(MttrError):
    """The local Kafka broker could not be fetched, started, stopped or reached."""


class SinkError(MttrError):
    """ClickHouse rejected or could not receive a write; the batch will be retried."""


class DlqLimitExceeded(MttrError):
    """Too many recent messages were invalid: the worker stops instead of dead-lettering all."""
