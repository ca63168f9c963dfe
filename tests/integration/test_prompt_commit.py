"""A worker commits what it processed once it goes quiet, not only at the periodic commit.

With Faust's periodic commit an hour away (``BROKER_COMMIT_INTERVAL``, which
Faust reads from the environment), the offsets of a few events still reach
the end of every source topic: ``streams/worker/prompt_commit.py`` commits
as soon as nothing was processed for a quarter of a second. Without it the
group's lag would stay at the events published until the hour is up.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from streams.devtools.processes import stop_process
from streams.devtools.wait import wait_processed
from streams.settings import Settings
from tests.support.processes import start_worker
from tests.support.scripted_history import HISTORY
from tests.support.scripted_stream import incidents, publish, scripted_settings

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_offsets_are_committed_when_the_worker_is_quiet(
    isolated_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BROKER_COMMIT_INTERVAL", "3600")  # the worker inherits it
    settings = scripted_settings(isolated_settings, tmp_path, "quiet")
    log = tmp_path / "worker.log"
    worker = start_worker(settings, log)
    try:
        publish(settings, HISTORY[:20], seed=1)
        wait_processed(settings, timeout=60)  # committed to the end of every topic, or TimeoutError
        assert worker.poll() is None, log.read_text()[-3000:]
    finally:
        code = stop_process(worker)
    assert code == 0, log.read_text()[-3000:]
    assert incidents(settings)
