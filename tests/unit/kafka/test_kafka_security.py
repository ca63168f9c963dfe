"""Kafka security settings: validation, and the options each client library receives."""

from __future__ import annotations

import logging
import ssl
import subprocess
from pathlib import Path
from typing import Any

import pytest
from faust.auth import SASLCredentials, SSLCredentials
from kafka.errors import KafkaTimeoutError
from pydantic import ValidationError

from streams.devtools.broker.local import _check_sasl_users, _server_properties
from streams.errors import BrokerError
from streams.kafka.security import (
    KafkaAuthenticationError,
    aiokafka_options,
    explain_auth_failures,
    faust_credentials,
    kafka_python_options,
    ssl_context,
)
from streams.settings import Settings

PASSWORD = "s3cret-kafka-pw"
# File contents for path validation only: no test here parses them.
CERT = "-----BEGIN CERTIFICATE-----\n(placeholder)\n-----END CERTIFICATE-----\n"


def make(**values: Any) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def messages(error: ValidationError) -> str:
    """Return the messages as the CLI prints them (load_settings leaves the input out)."""
    return "; ".join(e["msg"] for e in error.errors(include_url=False, include_input=False))


def sasl(**values: Any) -> Settings:
    defaults = {
        "kafka_security_protocol": "SASL_PLAINTEXT",
        "kafka_sasl_username": "mttr",
        "kafka_sasl_password": PASSWORD,
    }
    return make(**{**defaults, **values})


def test_default_is_plaintext_without_credentials() -> None:
    settings = make()
    assert settings.kafka_security_protocol == "PLAINTEXT"
    assert settings.kafka_sasl_mechanism == "SCRAM-SHA-256"
    assert kafka_python_options(settings) == {"security_protocol": "PLAINTEXT"}
    assert aiokafka_options(settings) == {"security_protocol": "PLAINTEXT"}
    assert faust_credentials(settings) is None
    assert ssl_context(settings) is None


@pytest.mark.parametrize("protocol", ["SASL_PLAINTEXT", "SASL_SSL"])
@pytest.mark.parametrize(
    ("values", "missing"),
    [
        ({}, "MTTR_KAFKA_SASL_USERNAME and MTTR_KAFKA_SASL_PASSWORD"),
        ({"kafka_sasl_username": "mttr"}, "MTTR_KAFKA_SASL_PASSWORD"),
        ({"kafka_sasl_password": PASSWORD}, "MTTR_KAFKA_SASL_USERNAME"),
        ({"kafka_sasl_username": "mttr", "kafka_sasl_password": ""}, "MTTR_KAFKA_SASL_PASSWORD"),
    ],
)
def test_sasl_requires_username_and_password(
    protocol: str, values: dict[str, str], missing: str
) -> None:
    with pytest.raises(ValidationError) as info:
        make(kafka_security_protocol=protocol, **values)
    text = messages(info.value)
    assert f"kafka_security_protocol {protocol} requires {missing}" in text
    assert PASSWORD not in text


def test_credentials_without_sasl_are_refused_not_ignored() -> None:
    with pytest.raises(ValidationError, match="set it to SASL_PLAINTEXT or SASL_SSL") as info:
        make(kafka_sasl_username="mttr", kafka_sasl_password=PASSWORD)
    assert PASSWORD not in messages(info.value)


def test_tls_files_need_a_tls_protocol(tmp_path: Path) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_text(CERT)
    with pytest.raises(ValidationError, match="TLS files need SSL or SASL_SSL"):
        make(kafka_ssl_cafile=ca)
    with pytest.raises(ValidationError, match="is not a readable file"):
        make(kafka_security_protocol="SSL", kafka_ssl_cafile=tmp_path / "missing.pem")
    with pytest.raises(ValidationError, match="kafka_ssl_keyfile needs kafka_ssl_certfile"):
        make(kafka_security_protocol="SSL", kafka_ssl_keyfile=ca)


def test_unknown_protocol_and_mechanism_are_refused() -> None:
    with pytest.raises(ValidationError, match="kafka_security_protocol"):
        make(kafka_security_protocol="TLS")
    with pytest.raises(ValidationError, match="kafka_sasl_mechanism"):
        sasl(kafka_sasl_mechanism="GSSAPI")


def test_password_is_secret_in_settings() -> None:
    settings = sasl()
    assert PASSWORD not in repr(settings)
    assert PASSWORD not in str(settings.model_dump())


@pytest.mark.parametrize("mechanism", ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"])
def test_sasl_plaintext_options(mechanism: str) -> None:
    settings = sasl(kafka_sasl_mechanism=mechanism)
    expected = {
        "security_protocol": "SASL_PLAINTEXT",
        "sasl_mechanism": mechanism,
        "sasl_plain_username": "mttr",
        "sasl_plain_password": PASSWORD,
    }
    assert kafka_python_options(settings) == expected
    assert aiokafka_options(settings) == expected
    credentials = faust_credentials(settings)
    assert isinstance(credentials, SASLCredentials)
    assert credentials.protocol.value == "SASL_PLAINTEXT"
    assert credentials.mechanism.value == mechanism
    assert (credentials.username, credentials.password) == ("mttr", PASSWORD)
    assert credentials.ssl_context is None
    assert PASSWORD not in repr(credentials)


def test_ssl_options_use_system_cas_by_default() -> None:
    settings = make(kafka_security_protocol="SSL")
    assert kafka_python_options(settings) == {"security_protocol": "SSL"}
    options = aiokafka_options(settings)
    assert options["security_protocol"] == "SSL"
    context = options["ssl_context"]
    assert isinstance(context, ssl.SSLContext)
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname
    credentials = faust_credentials(settings)
    assert isinstance(credentials, SSLCredentials)
    assert credentials.protocol.value == "SSL"


def test_sasl_ssl_options_carry_files_and_context(tmp_path: Path) -> None:
    """A real self-signed certificate (openssl): the TLS context trusts it and verifies hosts."""
    files = {name: tmp_path / f"{name}.pem" for name in ("ca", "cert", "key")}
    subprocess.run(  # noqa: S603
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",  # noqa: S607
         "-subj", "/CN=mttr-test-ca", "-keyout", str(files["key"]), "-out", str(files["cert"])],
        check=True, capture_output=True,
    )  # fmt: skip
    files["ca"].write_bytes(files["cert"].read_bytes())
    settings = sasl(
        kafka_security_protocol="SASL_SSL",
        kafka_sasl_mechanism="SCRAM-SHA-512",
        kafka_ssl_cafile=files["ca"],
        kafka_ssl_certfile=files["cert"],
        kafka_ssl_keyfile=files["key"],
    )
    assert kafka_python_options(settings) == {
        "security_protocol": "SASL_SSL",
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": "mttr",
        "sasl_plain_password": PASSWORD,
        "ssl_cafile": str(files["ca"]),
        "ssl_certfile": str(files["cert"]),
        "ssl_keyfile": str(files["key"]),
    }
    options = aiokafka_options(settings)
    context = options.pop("ssl_context")
    assert isinstance(context, ssl.SSLContext)
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    assert [dict(x[0] for x in c["subject"]) for c in context.get_ca_certs()] == [
        {"commonName": "mttr-test-ca"}
    ]
    assert options == {
        "security_protocol": "SASL_SSL",
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": "mttr",
        "sasl_plain_password": PASSWORD,
    }
    credentials = faust_credentials(settings)
    assert isinstance(credentials, SASLCredentials)
    assert credentials.protocol.value == "SASL_SSL"  # Faust switches on the TLS context
    assert isinstance(credentials.ssl_context, ssl.SSLContext)


def test_worker_app_gets_the_credentials() -> None:
    from streams.worker.app import create_app

    app = create_app(sasl())
    credentials = app.conf.broker_credentials
    assert isinstance(credentials, SASLCredentials)
    assert credentials.mechanism.value == "SCRAM-SHA-256"
    assert create_app(sasl(), broker="memory://").conf.broker_credentials is None


def test_refused_login_becomes_a_clear_error() -> None:
    settings = sasl()
    with pytest.raises(KafkaAuthenticationError) as info, explain_auth_failures(settings):
        logging.getLogger("kafka.net.manager").error(
            "Connection failed: [Error 58] SaslAuthenticationFailedError: "
            "Authentication failed during authentication due to invalid credentials "
            "with SASL mechanism SCRAM-SHA-256 (backoff 3.28 secs)"
        )
        raise KafkaTimeoutError("Unable to bootstrap from ['127.0.0.1:9092']")
    text = str(info.value)
    assert text.startswith("Kafka refused the SASL login of user 'mttr' (SCRAM-SHA-256 over ")
    assert "invalid credentials with SASL mechanism SCRAM-SHA-256;" in text
    assert PASSWORD not in text


def test_other_errors_pass_through() -> None:
    with pytest.raises(KafkaTimeoutError), explain_auth_failures(sasl()):
        raise KafkaTimeoutError("Unable to bootstrap")


def test_local_broker_properties_with_and_without_sasl(tmp_path: Path) -> None:
    plain = _server_properties(tmp_path, 9092, 9093)
    assert "listeners=PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093" in plain
    assert "inter.broker.listener.name=PLAINTEXT" in plain
    assert "sasl" not in plain
    scram = _server_properties(tmp_path, 9092, 9093, {"mttr": "pw1"}).splitlines()
    assert "listeners=SASL_PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093" in scram
    assert "listener.security.protocol.map=SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT" in (
        scram
    )
    assert "inter.broker.listener.name=SASL_PLAINTEXT" in scram
    assert "sasl.enabled.mechanisms=SCRAM-SHA-256,SCRAM-SHA-512,PLAIN" in scram
    assert "sasl.mechanism.inter.broker.protocol=SCRAM-SHA-256" in scram
    assert (
        "listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config="
        "org.apache.kafka.common.security.scram.ScramLoginModule required "
        'username="mttr" password="pw1";'
    ) in scram


@pytest.mark.parametrize(
    "users", [{}, {"a b": "pw"}, {"mttr": 'p"w'}, {"mttr": "p,w]"}, {"mttr": "p=w"}]
)
def test_local_broker_refuses_unquotable_users(users: dict[str, str]) -> None:
    with pytest.raises(BrokerError) as info:
        _check_sasl_users(users)
    for password in users.values():
        assert password not in str(info.value)
