"""``mttr worker`` creates a missing ``MTTR_VAR_DIR``, or says clearly why it cannot.

Faust creates only the last level of its data directory, so a worker whose
``MTTR_VAR_DIR`` did not exist yet died at start with ``FileNotFoundError:
.../faust`` (met with ClickHouse over HTTP, where nothing else creates it).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from streams.settings import Settings
from tests.support.processes import mttr, start_worker, wait_status

pytestmark = pytest.mark.integration


def test_a_missing_var_dir_is_created(isolated_settings: Settings, tmp_path: Path) -> None:
    var_dir = tmp_path / "not" / "yet" / "there"
    settings = isolated_settings.model_copy(
        update={
            "var_dir": var_dir,
            "clickhouse_url": f"chdb://{tmp_path / 'chdb'}",  # not under var_dir
        }
    )
    worker = start_worker(settings, tmp_path / "worker.log")
    try:
        wait_status(settings, lambda status: True, timeout=120)
        assert (var_dir / "faust").is_dir()
    finally:
        worker.terminate()
        worker.wait(timeout=60)


def test_a_var_dir_that_cannot_be_created_is_a_clear_error(
    isolated_settings: Settings, tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    settings = isolated_settings.model_copy(update={"var_dir": blocker / "var"})
    result = mttr("worker", settings=settings, timeout=60)
    assert result.returncode == 1
    assert "error: cannot create the worker's state directory" in result.stderr
    assert "(MTTR_VAR_DIR)" in result.stderr
    assert "Traceback" not in result.stderr
