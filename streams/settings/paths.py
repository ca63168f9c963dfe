"""Where the project lives and where local state goes: ``project_root`` and ``MTTR_VAR_DIR``."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from streams.settings.base import MttrSettings


def project_root() -> Path:
    """Return the source checkout when installed editable, else the working directory."""
    here = Path(__file__).resolve().parent.parent.parent  # streams/settings/ -> the root
    if (here / "pyproject.toml").is_file():
        return here
    return Path.cwd()


def default_var_dir() -> Path:
    """Return ``var/`` under the project root: local data (chDB, broker, logs)."""
    return project_root() / "var"


class VarDirSettings(MttrSettings):
    """The local state folder (``MTTR_VAR_DIR``), shared by several groups.

    It is defined here once and inherited by the groups that keep files in it:
    ``ClickHouseSettings`` (the embedded chDB default), ``WorkerSettings`` (Faust
    tables) and ``LocalSettings`` (broker data, logs).
    """

    var_dir: Path = Field(
        default_factory=default_var_dir,
        description="Local state: embedded ClickHouse, worker tables, broker data, logs.",
    )
