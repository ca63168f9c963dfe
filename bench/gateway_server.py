"""``mttr gateway`` for the benchmark: unchanged, except where the SNS certificate comes from.

``python -m bench.gateway_server --sns-certificate FILE`` runs the gateway's
own command (``streams.cli.gateway``) with every setting from the
environment. The one difference: the SNS adapter's certificate download
(``https_get`` of streams/gateway/registry.py) answers the benchmark's
``SigningCertURL`` with the PEM in FILE instead of asking AWS, which the
benchmark cannot sign for. The gateway still checks the URL, fetches the
certificate once through its ``CertificateCache`` and verifies every
message's RSA signature against it, as it does in production after its first
download. Any other URL gets 404.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from bench.gateway_payloads import SNS_CERT_URL
from streams.cli.gateway import gateway
from streams.gateway import registry
from streams.gateway.sns_certificates import Fetch


def local_certificates(pem: bytes) -> Fetch:
    """Return a ``Fetch`` that answers ``SNS_CERT_URL`` with ``pem`` and any other URL with 404."""

    async def fetch(url: str) -> tuple[int, bytes]:
        return (200, pem) if url == SNS_CERT_URL else (404, b"")

    return fetch


def serve_sns_certificate(pem: bytes) -> None:
    """Make the adapters built from now on download SNS certificates with ``local_certificates``."""
    fetch = local_certificates(pem)

    def https_get(timeout_s: float) -> Fetch:
        del timeout_s  # no network: nothing to time out
        return fetch

    registry.https_get = https_get  # type: ignore[attr-defined]  # the substitution (docstring)


def main(argv: list[str] | None = None) -> None:
    """Serve the SNS certificate locally, then run ``mttr gateway`` (until SIGTERM)."""
    parser = argparse.ArgumentParser(prog="python -m bench.gateway_server", description=__doc__)
    parser.add_argument("--sns-certificate", type=Path, required=True, help="PEM file")
    args = parser.parse_args(argv)
    serve_sns_certificate(args.sns_certificate.read_bytes())
    gateway.main(args=[], prog_name="mttr gateway")


if __name__ == "__main__":
    main()
