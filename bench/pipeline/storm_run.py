"""One contender through the pre-filled alert storm, watched from outside the process.

The contender runs as in a throughput round (``contest.launch``, fresh group,
fresh chDB database) over the storm's topics. Meanwhile the harness records:

* the process's CPU seconds (``/proc/PID/stat``) every 50 ms, on the wall clock;
* its progress, looked at every 0.1 s: for ``ours``, the
  ``correlated_in_place`` counter of its ``/mttr/status/`` page (messages,
  duplicates included, whose batch was stored, correlated and its incident
  rows written; the storm is keyed by service, so no event takes the hop
  through ``events-by-service``, and ``forwarded`` says if some did). Its
  incidents topic would say the same at each flush, but a key of n events
  publishes rows of n alert ids, n times: gigabytes for the full storm.
  For ``quix``, the offsets its group committed on its keyed topic (one
  message per event read), which move at each checkpoint (every 5 s).
* what the ingest stage took (ours: ``valid`` + ``invalid`` of the same page;
  Quix: its committed source offsets), which each window reports.

From these, ``windows`` gives the wall time and the CPU per event of the first
``window`` events (from the moment the group was stable with the contender
in it) and of the last ``window`` reached, the CPU interpolated at each
crossing. The run ends when the group's committed offsets reach the end of
every topic it commits to and stay there (as ``contest.run_stream``), or at
the cap: then the rate so far and the windows reached are reported, marked
as capped, and the output is not checked.
"""

from __future__ import annotations

import bisect
import threading
import time
from pathlib import Path
from typing import Any

from kafka import KafkaAdminClient
from kafka.errors import KafkaError

from bench.pipeline.contest import SETTLE_S, Contender, launch
from bench.pipeline.contract import ContenderConfig
from bench.pipeline.measure import GroupWatch, cpu_seconds, memory_kib
from bench.scaling_run import status_page
from streams.devtools.broker.ports import free_port
from streams.devtools.processes import stop_process

Point = tuple[float, int]  # (wall clock seconds, events processed so far)


class CpuSampler(threading.Thread):
    """Samples a process's CPU seconds every ``interval`` seconds until ``stop``."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self._pid = pid
        self._interval = interval
        self._halt = threading.Event()
        self.samples: list[tuple[float, float]] = []

    def run(self) -> None:
        """Sample until stopped or the process is gone."""
        while not self._halt.is_set():
            try:
                self.samples.append((time.time(), cpu_seconds(self._pid)))
            except OSError:
                return
            self._halt.wait(self._interval)

    def stop(self) -> None:
        """Stop sampling and wait for the thread."""
        self._halt.set()
        self.join(timeout=5)


def cpu_at(samples: list[tuple[float, float]], moment: float) -> float:
    """Return the CPU seconds at ``moment``, linearly between the samples around it."""
    times = [t for t, _ in samples]
    i = bisect.bisect_left(times, moment)
    if i == 0:
        return samples[0][1]
    if i == len(samples):
        return samples[-1][1]
    (t0, c0), (t1, c1) = samples[i - 1], samples[i]
    return c0 + (c1 - c0) * (moment - t0) / (t1 - t0) if t1 > t0 else c1


def count_at(points: list[Point], moment: float) -> int:
    """Return the count of the last point at or before ``moment`` (0 before the first)."""
    i = bisect.bisect_right([t for t, _ in points], moment)
    return points[i - 1][1] if i else 0


def windows(
    points: list[Point], samples: list[tuple[float, float]], joined: float, window: int,
    ingested: list[Point] | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Return the first and the last ``window`` events' wall time and CPU per event.

    ``points`` are progress looks in time order; the first window runs from
    ``joined`` (count 0) to the first point at or past ``window``, the last
    from the last point at or below the final count minus ``window`` to the
    final point. Each cost is over the events actually between its points.
    ``ingested`` (messages the ingest stage took, looked at in time order)
    gives each window's ``ingested`` count: the process's CPU in a window also
    pays for what its ingest stage read meanwhile, ahead of correlation.
    """
    if not points or points[-1][1] < window:
        return {"window": window, "reached": points[-1][1] if points else 0}
    end_at, end_count = points[-1]
    first_at, first_count = next(p for p in points if p[1] >= window)
    last_at, last_count = max((p for p in points if p[1] <= end_count - window),
                              key=lambda p: p[1], default=(joined, 0))  # fmt: skip

    def span(start: float, start_count: int, stop: float, stop_count: int) -> dict[str, Any]:
        cpu = cpu_at(samples, stop) - cpu_at(samples, start)
        events = max(stop_count - start_count, 1)
        return {
            "from_event": start_count,
            "to_event": stop_count,
            "seconds": round(stop - start, 3),
            "cpu_us_per_event": round(cpu / events * 1e6, 1),
            "ingested": count_at(ingested or [], stop) - count_at(ingested or [], start),
        }

    first = span(joined, 0, first_at, first_count)
    last = span(last_at, last_count, end_at, end_count)
    return {
        "window": window,
        "reached": end_count,
        "first": first,
        "last": last,
        "last_over_first": round(last["cpu_us_per_event"] / first["cpu_us_per_event"], 2)
        if first["cpu_us_per_event"]
        else None,
    }


class StatusProgress:
    """Progress of ``ours``: the counters of its ``/mttr/status/`` page, timed when read.

    ``correlated_in_place`` grows once a batch's events are stored,
    correlated and their incident rows written (before the batch is
    committed); ``valid`` + ``invalid``, what its ingest stage took.
    ``forwarded`` counts the events that took the hop instead (not counted
    here: the storm is published keyed by service, so none should).
    """

    def __init__(self, port: int) -> None:
        self._port = port
        self.points: list[Point] = []
        self.ingested: list[Point] = []
        self.forwarded = 0

    def poll(self) -> None:
        """Read the page; a higher count adds a point now."""
        body = status_page(self._port)
        at = time.time()
        for points, count in (
            (self.points, int(body.get("correlated_in_place") or 0)),
            (self.ingested, int(body.get("valid") or 0) + int(body.get("invalid") or 0)),
        ):
            if count > (points[-1][1] if points else 0):
                points.append((at, count))
        self.forwarded = int(body.get("forwarded") or 0)

    def close(self) -> None:
        """Nothing to close."""


class CommitProgress:
    """Progress of ``quix``: the offsets its group committed on its keyed topic."""

    def __init__(self, bootstrap: str, group: str, topic: str) -> None:
        self._admin = KafkaAdminClient(bootstrap_servers=bootstrap)
        self._group, self._topic = group, topic
        self.points: list[Point] = []
        self.ingested: list[Point] = []  # filled by the caller (committed source offsets)
        self.forwarded = 0

    def poll(self) -> None:
        """Look at the committed offsets; a higher sum adds a point now."""
        try:
            offsets = self._admin.list_group_offsets(self._group).get(self._group, {})
        except (KafkaError, KeyError):
            return
        count = sum(
            m.offset for tp, m in offsets.items() if tp.topic == self._topic and m.offset > 0
        )
        if count and (not self.points or count > self.points[-1][1]):
            self.points.append((time.time(), count))

    def close(self) -> None:
        """Close the admin client."""
        self._admin.close()


def _first_error(log: Path) -> str:
    """Return the first ERROR line of a contender's log, else its last exception ('' if none)."""
    lines = log.read_text(errors="replace").splitlines()
    logged = (line for line in lines if "[ERROR]" in line or "CRITICAL" in line)
    raised = (line for line in reversed(lines) if "Error" in line or "Exception" in line)
    return next(logged, next(raised, ""))[:300]


def run(
    contender: Contender, config: ContenderConfig, folder: Path, messages: int, cap: float,
    window: int,
) -> dict[str, Any]:  # fmt: skip
    """Run ``contender`` over the storm's ``messages``; return its figures.

    ``events_per_second`` counts every message from the moment the group was
    stable to the first look at which it had committed them all (as the
    throughput table); at the cap (``capped``) it is the progress so far over
    the time to its last point instead.
    """
    config.write(folder / "config.json")
    watch = GroupWatch(config.bootstrap, config.group, tuple(config.topics.values()), messages)
    port = free_port()  # ours: its status page
    store = {"MTTR_WEB_PORT": str(port)} if contender.name == "ours" else None
    process = launch(contender, config, folder / "config.json", folder / "log.txt", 0, store)
    sampler = CpuSampler(process.pid)
    sampler.start()
    progress: StatusProgress | CommitProgress = (
        StatusProgress(port)
        if contender.name == "ours"
        else CommitProgress(config.bootstrap, config.group, f"{config.group}-by-key")
    )
    started = time.time()
    joined: float | None = None
    caught: float | None = None
    ingested = progress.ingested
    figures: dict[str, Any] = {"contender": contender.name, "capped": False}
    try:
        while caught is None or time.time() - caught < SETTLE_S:
            if process.poll() is not None:
                why = _first_error(folder / "log.txt")
                return {**figures, "error": f"exited {process.returncode}: {why}"}
            if joined is None and watch.joined():
                joined = time.time()
            if joined is not None:
                progress.poll()
            if time.time() - started > cap:
                figures["capped"] = True
                break
            look = watch.look()
            if not store and look.committed_sources > (ingested[-1][1] if ingested else 0):
                ingested.append((time.time(), look.committed_sources))
            caught = (caught or time.time()) if look.caught_up else None
            time.sleep(0.1 if joined else 0.25)
        figures["peak_rss_mib"] = round(memory_kib(process.pid)[1] / 1024, 1)
    finally:
        sampler.stop()
        progress.close()
        watch.close()
        figures["exit_code"] = code = stop_process(process, timeout=60)
        if code not in (0, -15):  # it crashed (possibly well before), or ignored SIGTERM
            hung = "killed: still running 60 s after SIGTERM" if code == -9 else ""
            figures["error"] = f"exit {code}: {_first_error(folder / 'log.txt') or hung}"
    points, begin = progress.points, joined or started
    if not points:
        return {**figures, "error": "no progress seen"}
    end, count = points[-1] if figures["capped"] or caught is None else (caught, messages)
    cpu = cpu_at(sampler.samples, end) - cpu_at(sampler.samples, begin)
    return {
        **figures,
        "events": count,
        "seconds": round(end - begin, 3),
        "events_per_second": round(count / (end - begin), 1) if end > begin else 0.0,
        "cpu_us_per_event": round(cpu / max(count, 1) * 1e6, 1),
        "seconds_to_join": round(begin - started, 2),
        "ingest_done_after_seconds": round(ingested[-1][0] - begin, 1) if ingested else None,
        "forwarded": progress.forwarded,
        **windows(points, sampler.samples, begin, window, ingested),
    }
