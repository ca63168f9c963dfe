"""Kafka settings: bootstrap servers, topics, partitions and security (SASL, TLS).

``KafkaSettings`` owns both cross-field rules about Kafka: topic names all
differ, and the security protocol agrees with the SASL credentials and TLS files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, Self

from pydantic import Field, SecretStr, model_validator

from streams.settings.base import MttrSettings, env_var


class KafkaSettings(MttrSettings):
    """Where the brokers are, which topics to use and how to authenticate.

    Reads ``MTTR_KAFKA_BOOTSTRAP``, ``MTTR_TOPIC_*`` and ``MTTR_KAFKA_SECURITY_PROTOCOL``,
    ``MTTR_KAFKA_SASL_*``, ``MTTR_KAFKA_SSL_*``. The SASL password is a ``SecretStr``,
    unwrapped only where a client is built.
    """

    # --- Brokers and topics ----------------------------------------------------
    kafka_bootstrap: str = Field(
        "127.0.0.1:9092", description="Kafka bootstrap servers, comma separated (host:port)."
    )
    topic_alerts: str = Field("alerts", description="Topic carrying alert events.")
    topic_deploys: str = Field("deploys", description="Topic carrying deploy events.")
    topic_tickets: str = Field("tickets", description="Topic carrying ticket events.")
    topic_changes: str = Field(
        "changes", description="Topic carrying change events (landed changes, for lead time)."
    )
    topic_dead_letter: str = Field(
        "dead-letter", description="Topic receiving invalid messages with a reason header."
    )
    topic_partitions: int = Field(
        4, ge=1, description="Partitions for topics the worker creates (keep source topics equal)."
    )
    topic_incidents: str = Field(
        "incidents", description="Topic receiving every incident version (JSON, keyed by id)."
    )

    # --- Security --------------------------------------------------------------
    kafka_security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = Field(
        "PLAINTEXT",
        description="Kafka security protocol: PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL.",
    )
    kafka_sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] = Field(
        "SCRAM-SHA-256",
        description="SASL mechanism (SASL_* protocols): PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512.",
    )
    kafka_sasl_username: str | None = Field(
        None, description="SASL user name (required with SASL_PLAINTEXT and SASL_SSL)."
    )
    kafka_sasl_password: SecretStr | None = Field(
        None, description="SASL password (required with SASL_* protocols); never logged."
    )
    kafka_ssl_cafile: Path | None = Field(
        None, description="PEM CA bundle verifying the brokers (SSL, SASL_SSL; default: system)."
    )
    kafka_ssl_certfile: Path | None = Field(
        None, description="PEM client certificate for mutual TLS (SSL, SASL_SSL)."
    )
    kafka_ssl_keyfile: Path | None = Field(
        None, description="PEM private key of kafka_ssl_certfile, if not inside it."
    )

    @model_validator(mode="after")
    def _topics_are_distinct(self) -> Self:
        topics = [
            self.topic_alerts,
            self.topic_deploys,
            self.topic_tickets,
            self.topic_changes,
            self.topic_dead_letter,
            self.topic_incidents,
        ]
        if len(set(topics)) != len(topics):
            msg = f"topic names must all differ, got {topics}"
            raise ValueError(msg)
        return self

    @model_validator(mode="after")
    def _kafka_security_is_consistent(self) -> Self:
        protocol = self.kafka_security_protocol
        sasl = protocol.startswith("SASL_")
        tls = protocol in ("SSL", "SASL_SSL")
        if sasl:
            missing = []
            if not self.kafka_sasl_username:
                missing.append(env_var("kafka_sasl_username"))
            if self.kafka_sasl_password is None or not self.kafka_sasl_password.get_secret_value():
                missing.append(env_var("kafka_sasl_password"))
            if missing:
                msg = f"kafka_security_protocol {protocol} requires {' and '.join(missing)}"
                raise ValueError(msg)
        elif self.kafka_sasl_username is not None or self.kafka_sasl_password is not None:
            msg = (
                f"a Kafka SASL user name or password is set but kafka_security_protocol is "
                f"{protocol}; set it to SASL_PLAINTEXT or SASL_SSL"
            )
            raise ValueError(msg)
        files = {
            "kafka_ssl_cafile": self.kafka_ssl_cafile,
            "kafka_ssl_certfile": self.kafka_ssl_certfile,
            "kafka_ssl_keyfile": self.kafka_ssl_keyfile,
        }
        given = {name: path for name, path in files.items() if path is not None}
        if given and not tls:
            msg = (
                f"{', '.join(given)} set but kafka_security_protocol is {protocol}; "
                "TLS files need SSL or SASL_SSL"
            )
            raise ValueError(msg)
        for name, path in given.items():
            if not path.is_file():
                msg = f"{name} {path} is not a readable file"
                raise ValueError(msg)
        if self.kafka_ssl_keyfile is not None and self.kafka_ssl_certfile is None:
            msg = "kafka_ssl_keyfile needs kafka_ssl_certfile (the client certificate)"
            raise ValueError(msg)
        return self

    # --- Derived values --------------------------------------------------------
    @property
    def source_topics(self) -> tuple[str, str, str]:
        """Return the alert, deploy and ticket topic names: what correlates into incidents."""
        return (self.topic_alerts, self.topic_deploys, self.topic_tickets)

    @property
    def event_topics(self) -> tuple[str, str, str, str]:
        """Return every topic of contract events: the source topics and the change topic."""
        return (*self.source_topics, self.topic_changes)

    @property
    def topic_types(self) -> dict[str, str]:
        """Map each event topic to the event ``type`` it may carry."""
        return {
            self.topic_alerts: "alert",
            self.topic_deploys: "deploy",
            self.topic_tickets: "ticket",
            self.topic_changes: "change",
        }
