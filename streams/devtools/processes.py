"""Stopping child processes the project starts (the demo's worker, tests' workers)."""

from __future__ import annotations

import signal
import subprocess


def stop_process(process: subprocess.Popen[bytes], timeout: float = 30) -> int:
    """SIGTERM the process, SIGKILL it after ``timeout`` seconds; returns its exit code."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode
