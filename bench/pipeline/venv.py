"""The bench venv: a second virtualenv for the contenders whose pins clash with ours.

quixstreams 3.28 pins ``pydantic<2.14`` and ``confluent-kafka<2.13``, while
the project uses pydantic 2.14, so the ``quix`` and ``raw_confluent``
contenders run with the python of ``.cache/bench-venv``. Our package is
installed there editable and without its dependencies; what its modules
used by the contenders import (pydantic, pydantic-settings, orjson,
clickhouse-connect, chdb) comes from quixstreams' own dependencies and the
explicit list below. Standard library only: this runs under the main venv.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

PACKAGES = ("quixstreams==3.28.1", "orjson", "clickhouse-connect", "chdb", "msgspec>=0.19,<0.23")
# What the contenders import; checked after every (re)build.
IMPORTS = (
    "quixstreams, confluent_kafka, orjson, clickhouse_connect, chdb, pydantic_settings, "
    "streams.ingest.decode, streams.engine.correlate, streams.ingest.rows, "
    "streams.engine.incident, bench.pipeline.contract"
)


def venv_dir(root: Path) -> Path:
    """Return where the bench venv lives for the checkout at ``root``."""
    return root / ".cache" / "bench-venv"


def _stamp(root: Path) -> str:
    spec = "\n".join((sys.version, str(root.resolve()), *PACKAGES, IMPORTS))
    return hashlib.sha256(spec.encode()).hexdigest()


def ensure_venv(root: Path) -> Path:
    """Create (once) the bench venv for the checkout at ``root``; return its python.

    Idempotent: a stamp file records the spec the venv was built from, so a
    second call returns at once and a changed spec rebuilds it in place.
    """
    root = root.resolve()
    venv = venv_dir(root)
    python = venv / "bin" / "python"
    stamp = venv / ".bench-stamp"
    expected = _stamp(root)
    if python.exists() and stamp.exists() and stamp.read_text().strip() == expected:
        return python

    def run(*command: str | Path) -> None:
        subprocess.run([str(part) for part in command], check=True, cwd=root)

    venv.parent.mkdir(parents=True, exist_ok=True)
    run(sys.executable, "-m", "venv", venv)
    pip = (python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check")
    run(*pip, "--upgrade", "pip")
    run(*pip, *PACKAGES)
    run(*pip, "--no-deps", "-e", root)
    run(python, "-c", f"import {IMPORTS}")
    stamp.write_text(expected + "\n")
    return python


if __name__ == "__main__":
    print(ensure_venv(Path(__file__).resolve().parents[2]))
