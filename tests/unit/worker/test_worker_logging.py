"""The worker keeps the root logger at the configured level, spinner or not.

Faust's worker turns the terminal spinner on for levels warn and error and
then sets the root logger to DEBUG, so every ``log.debug`` of aiokafka and
Faust built a record nobody printed (docs/architecture.md, "Faust settings
that matter").
"""

from __future__ import annotations

import logging

import pytest

from streams.settings import Settings
from streams.worker.app import Worker, create_app


@pytest.mark.parametrize(
    ("loglevel", "level"),
    [("warn", logging.WARNING), ("error", logging.ERROR), ("info", logging.INFO)],
)
def test_root_logger_stays_at_the_configured_level(loglevel: str, level: int) -> None:
    app = create_app(Settings(), broker="memory://")
    worker = Worker(app, loglevel=loglevel, quiet=True)
    logger = logging.Logger(f"root-{loglevel}")  # a fresh logger standing for the root one
    logger.addHandler(logging.NullHandler())
    spinning = worker.spinner is not None and level >= logging.WARNING
    worker.on_setup_root_logger(logger, level)
    assert logger.level == level
    assert not logger.isEnabledFor(logging.DEBUG)
    assert (len(logger.handlers) == 2) == spinning  # Faust's spinner handler is still added
