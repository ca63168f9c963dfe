"""Kafka TLS and SASL options for each client library, built from the one settings object.

Every Kafka client of the project is built with these options: the
kafka-python admin, producer and consumer of the CLI (``kafka_python_options``),
the gateway's aiokafka producer (``aiokafka_options``) and the Faust worker
(``faust_credentials``, its ``broker_credentials`` setting). The password is
unwrapped from its ``SecretStr`` only here, straight into the client options.
"""

from __future__ import annotations

import logging
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from aiokafka.helpers import create_ssl_context
from faust.auth import SASLCredentials, SSLCredentials
from faust.types.auth import CredentialsT

from streams.errors import ConfigError
from streams.settings import Settings


class KafkaAuthenticationError(ConfigError):
    """The brokers refused the configured SASL login (wrong user, password or mechanism)."""


def uses_sasl(settings: Settings) -> bool:
    """Return True when the brokers are reached over SASL_PLAINTEXT or SASL_SSL."""
    return settings.kafka_security_protocol in ("SASL_PLAINTEXT", "SASL_SSL")


def uses_tls(settings: Settings) -> bool:
    """Return True when the brokers are reached over SSL or SASL_SSL."""
    return settings.kafka_security_protocol in ("SSL", "SASL_SSL")


def _password(settings: Settings) -> str:
    if settings.kafka_sasl_password is None:  # the settings validator prevents this
        msg = f"kafka_security_protocol {settings.kafka_security_protocol} needs a password"
        raise ValueError(msg)
    return settings.kafka_sasl_password.get_secret_value()


def ssl_context(settings: Settings) -> ssl.SSLContext | None:
    """Return the TLS context for SSL and SASL_SSL (None otherwise).

    The context verifies the broker certificates and host names against
    ``kafka_ssl_cafile`` (the system CAs when unset) and presents the client
    certificate when ``kafka_ssl_certfile`` is set. Raises ``OSError`` or
    ``ssl.SSLError`` when a file cannot be read or parsed.
    """
    if not uses_tls(settings):
        return None
    context: ssl.SSLContext = create_ssl_context(
        cafile=settings.kafka_ssl_cafile,
        certfile=settings.kafka_ssl_certfile,
        keyfile=settings.kafka_ssl_keyfile,
    )
    return context


def kafka_python_options(settings: Settings) -> dict[str, Any]:
    """Return the security keyword arguments of kafka-python's clients.

    For ``KafkaAdminClient``, ``KafkaProducer`` and ``KafkaConsumer`` alike:
    ``security_protocol`` always, the ``sasl_*`` options with SASL, and the
    ``ssl_*`` file options (those that are set) with TLS.
    """
    options: dict[str, Any] = {"security_protocol": settings.kafka_security_protocol}
    if uses_sasl(settings):
        options.update(
            sasl_mechanism=settings.kafka_sasl_mechanism,
            sasl_plain_username=settings.kafka_sasl_username,
            sasl_plain_password=_password(settings),
        )
    if uses_tls(settings):
        files = {
            "ssl_cafile": settings.kafka_ssl_cafile,
            "ssl_certfile": settings.kafka_ssl_certfile,
            "ssl_keyfile": settings.kafka_ssl_keyfile,
        }
        options.update({key: str(path) for key, path in files.items() if path is not None})
    return options


def aiokafka_options(settings: Settings) -> dict[str, Any]:
    """Return the security keyword arguments of aiokafka's clients (``ssl_context`` for TLS)."""
    options: dict[str, Any] = {"security_protocol": settings.kafka_security_protocol}
    if uses_sasl(settings):
        options.update(
            sasl_mechanism=settings.kafka_sasl_mechanism,
            sasl_plain_username=settings.kafka_sasl_username,
            sasl_plain_password=_password(settings),
        )
    context = ssl_context(settings)
    if context is not None:
        options["ssl_context"] = context
    return options


def faust_credentials(settings: Settings) -> CredentialsT | None:
    """Return the Faust ``broker_credentials``: None for PLAINTEXT.

    SASL protocols give ``SASLCredentials`` (with the TLS context for
    SASL_SSL, which Faust maps to that protocol); SSL gives ``SSLCredentials``.
    """
    context = ssl_context(settings)
    if uses_sasl(settings):
        return SASLCredentials(
            username=settings.kafka_sasl_username,
            password=_password(settings),
            ssl_context=context,
            mechanism=settings.kafka_sasl_mechanism,
        )
    if context is not None:
        return SSLCredentials(context)
    return None


class _AuthFailures(logging.Handler):
    """Collect kafka-python's SASL failure reports (it logs them, then retries until timeout)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.reasons: list[str] = []
        self.closed_during_login = False
        self._in_login = False

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.name.startswith("kafka.net.sasl"):
            self._in_login = True  # e.g. the "credentials in the clear" warning
        elif self._in_login and "socket disconnected" in text:
            self.closed_during_login = True  # the broker hung up before its answer
        if "SaslAuthenticationFailedError" in text and not self.reasons:
            reason = text.rsplit("SaslAuthenticationFailedError: ", 1)[-1]
            self.reasons.append(reason.split(" (backoff", 1)[0].rstrip(")"))


@contextmanager
def explain_auth_failures(settings: Settings) -> Iterator[None]:
    """Turn a kafka-python bootstrap timeout caused by a refused SASL login into a clear error.

    kafka-python logs each refused login and only raises ``KafkaTimeoutError``
    ("Unable to bootstrap") at the end; inside this block that timeout is
    re-raised as ``KafkaAuthenticationError`` naming the user and mechanism
    (never the password). Other errors pass through unchanged.
    """
    handler = _AuthFailures()
    logger = logging.getLogger("kafka")
    logger.addHandler(handler)
    try:
        yield
    except Exception as exc:
        login = (
            f"SASL login of user {settings.kafka_sasl_username!r} "
            f"({settings.kafka_sasl_mechanism} over {settings.kafka_security_protocol})"
        )
        hint = (
            "check MTTR_KAFKA_SASL_USERNAME, MTTR_KAFKA_SASL_PASSWORD and MTTR_KAFKA_SASL_MECHANISM"
        )
        if handler.reasons:
            msg = f"Kafka refused the {login}: {handler.reasons[0]}; {hint}"
        elif handler.closed_during_login:
            msg = f"Kafka closed the connection during the {login}; {hint}"
        else:
            raise
        raise KafkaAuthenticationError(msg) from exc
    finally:
        logger.removeHandler(handler)
