"""A real outage seen by Prometheus becomes one resolved incident with the right TTR.

Debian's ``prometheus`` and ``prometheus-alertmanager`` (installed with
apt-get when missing) run on loopback with their own configs under
``tmp_path``: Prometheus scrapes a tiny ``/metrics`` target every second as job
``shop`` and evaluates ``up{job="shop"} == 0`` (``for: 2s``, severity critical)
every second; Alertmanager sends every notification of the alert
(``send_resolved: true``) to ``POST /webhooks/alertmanager`` of ``mttr
gateway``, which publishes alert events to Kafka for ``mttr worker``. The
target is stopped for a measured interval and started again; then
``mttr.incidents FINAL`` must hold exactly one resolved incident for ``shop``.

What the TTR must be, from Prometheus' rules engine (``rules/alerting.go``,
``SendAlerts``), with E = evaluation interval, F = the rule's ``for``:

* Rule groups are evaluated on a fixed grid of timestamps E apart. A sample is
  seen by the first evaluation at or after its timestamp that runs after the
  scrape was stored (a scrape is stored ``scrape_duration`` d after its
  timestamp, a few milliseconds here).
* ``t_down`` is the first scrape with ``up == 0``, ``t_up`` the first with
  ``up == 1`` again; the outage as seen by Prometheus is ``t_up - t_down``.
* The alert becomes pending (``activeAt``) at the first evaluation that sees
  ``t_down``: ``0 <= activeAt - t_down < E + d_down``.
* It fires F later, at an evaluation (``firedAt = activeAt + F``, one more E
  per missed evaluation). The alert Prometheus sends to Alertmanager has
  ``startsAt = firedAt``, not ``activeAt``: the ``for`` hold time is not part
  of the alert. The gateway maps ``startsAt`` to the incident's
  ``started_at``.
* It resolves (``resolvedAt``, sent as ``endsAt``, the incident's
  ``resolved_at``) at the first evaluation that sees ``t_up``:
  ``0 <= resolvedAt - t_up < E + d_up``.

So ``ttr = resolvedAt - firedAt = (t_up - t_down) - F + delta`` with
``-(E + d_down) < delta < E + d_up``: TTR is the outage as seen by Prometheus
minus the ``for`` duration, within one evaluation interval. The bounds used
add to each side the scrape's duration (``scrape_duration_seconds``), 50 ms
for storing the scrape after that was measured, and 1 ms for each timestamp
truncated to milliseconds (one more E per missed evaluation on the low side).
With scrape and evaluation intervals equal, as here, scrapes and evaluations
keep a constant phase, so both offsets are the same and ``delta`` is usually
0. The test checks each step against Prometheus' own series (``up``,
``ALERTS``, ``scrape_duration_seconds``), so a failure says which step is
off. The service comes from the ``job`` label (the rule adds no ``service``
label). Run with ``-s`` to see the measurements.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from streams.devtools.broker.local import free_port
from streams.devtools.processes import stop_process
from streams.settings import Settings
from streams.storage.clickhouse import connect
from tests.support.processes import start_gateway, start_worker, wait_status, worker_status
from tests.support.prometheus_install import ensure_installed, package_daemons
from tests.support.prometheus_stack import Stack, Timing, get_json, http_status, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(600)]

SERVICE = "shop"  # the scrape job: the gateway takes the service from the `job` label
TIMING = Timing(scrape_s=1, evaluation_s=1, for_s=2, group_interval_s=1)
OUTAGE_S = 8.0  # how long the target is kept down (wall clock)
MS = 0.001  # timestamps are stored with millisecond precision
OVERHEAD_S = 0.05  # storing a scrape after its duration was measured, on a busy machine


@pytest.fixture(scope="module")
def packages() -> dict[str, str]:
    """Make sure Prometheus and Alertmanager are installed; return their versions."""
    return ensure_installed()


def resolved_report(settings: Settings) -> list[dict[str, Any]]:
    """Return the worker's MTTR rows for the service (resolved incidents only)."""
    url = f"http://127.0.0.1:{settings.web_port}/mttr/report/"
    try:
        return list(get_json(url, {"service": SERVICE})["rows"])
    except OSError:
        return []


def read_incidents(settings: Settings) -> list[dict[str, Any]]:
    """Return the service's current incident rows (the worker must have stopped)."""
    client = connect(settings)
    try:
        result = client.query(
            "SELECT * FROM mttr.incidents FINAL WHERE service = {service:String}",
            parameters={"service": SERVICE},
        )
        return [dict(zip(result.column_names, row, strict=True)) for row in result.result_rows]
    finally:
        client.close()


@dataclass(frozen=True)
class PrometheusView:
    """The outage and the alert as Prometheus recorded them (unix seconds)."""

    t_down: float  # first scrape with up == 0
    t_up: float  # first scrape with up == 1 after it
    d_down: float  # those scrapes' durations
    d_up: float
    active_at: float  # first ALERTS{alertstate="pending"} sample: the alert's activeAt
    fired_at: float  # first ALERTS{alertstate="firing"} sample: startsAt sent to Alertmanager
    missed_evaluations: int

    @property
    def outage(self) -> float:
        return self.t_up - self.t_down


def prometheus_view(stack: Stack) -> PrometheusView:
    """Read the raw samples of ``up``, ``scrape_duration_seconds`` and ``ALERTS``."""
    job, alert = f'job="{stack.job}"', f'alertname="{stack.alert}"'
    up = stack.samples(f"up{{{job}}}")
    durations = dict(stack.samples(f"scrape_duration_seconds{{{job}}}"))
    t_down = next(t for t, v in up if v == 0)
    t_up = next(t for t, v in up if v == 1 and t > t_down)
    outside = [v for t, v in up if t < t_down or t >= t_up]
    inside = [v for t, v in up if t_down <= t < t_up]
    assert set(outside) == {1.0} and set(inside) == {0.0}, f"not exactly one outage: {up}"
    missed = stack.query("sum(prometheus_rule_group_iterations_missed_total)")
    return PrometheusView(
        t_down=t_down,
        t_up=t_up,
        d_down=durations[t_down],
        d_up=durations[t_up],
        active_at=stack.samples(f'ALERTS{{{alert}, alertstate="pending"}}')[0][0],
        fired_at=stack.samples(f'ALERTS{{{alert}, alertstate="firing"}}')[0][0],
        missed_evaluations=int(float(missed[0]["value"][1])) if missed else 0,
    )


def utc(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="milliseconds")


@pytest.fixture
def gateway_port() -> int:
    return free_port()


@pytest.fixture
def stack(tmp_path: Path, packages: dict[str, str], gateway_port: int) -> Iterator[Stack]:
    """The Prometheus stack under ``tmp_path/prometheus``; nothing of it outlives the test."""
    stack = Stack(
        root=tmp_path / "prometheus",
        webhook_url=f"http://127.0.0.1:{gateway_port}/webhooks/alertmanager",
        job=SERVICE,
        timing=TIMING,
    )
    try:
        yield stack
    finally:
        stack.stop()
        left = subprocess.run(
            ["pgrep", "-a", "-f", str(tmp_path)],  # noqa: S607
            capture_output=True,
            text=True,
            check=False,
        ).stdout.splitlines()
        assert left == [], f"processes of the test still running: {left}"
        assert package_daemons() == [], "a Prometheus or Alertmanager daemon is running"


def run_outage(stack: Stack) -> None:
    """Start the stack, keep the target down for ``OUTAGE_S`` and start it again."""
    stack.write_configs()
    stack.start_target()
    stack.start_alertmanager()
    stack.start_prometheus()
    wait_for(
        "Prometheus to find Alertmanager",
        lambda: get_json(f"{stack.prometheus_url}/api/v1/alertmanagers")["data"][
            "activeAlertmanagers"
        ],
        timeout=60,
    )
    wait_for("a successful scrape of the target", lambda: stack.up() == 1, timeout=60)
    time.sleep(3 * TIMING.scrape_s)  # a few healthy scrapes before the outage
    down_at = time.time()
    stack.stop_target()
    wait_for("Prometheus to see the target down", lambda: stack.up() == 0, timeout=30)
    time.sleep(max(0.0, down_at + OUTAGE_S - time.time()))
    up_at = time.time()
    stack.start_target()
    wait_for("Prometheus to see the target up", lambda: stack.up() == 1, timeout=30)
    print(f"target stopped {utc(down_at)}, started again {utc(up_at)} (wall clock)")


def test_prometheus_outage_becomes_one_resolved_incident(
    isolated_settings: Settings,
    stack: Stack,
    gateway_port: int,
    packages: dict[str, str],
    tmp_path: Path,
) -> None:
    settings = isolated_settings.model_copy(update={"idle_flush_s": 1.0})
    logs = {"worker": tmp_path / "worker.log", "gateway": tmp_path / "gateway.log"}
    print(f"\n{', '.join(f'{p} {v}' for p, v in sorted(packages.items()))}")

    worker = start_worker(settings, logs["worker"])
    gateway = start_gateway(settings, gateway_port, logs["gateway"])
    try:
        wait_status(settings, lambda status: True)
        healthz = f"http://127.0.0.1:{gateway_port}/healthz"

        def gateway_healthy() -> bool:
            if gateway.poll() is not None:
                pytest.fail(f"the gateway exited:\n{logs['gateway'].read_text()[-3000:]}")
            return http_status(healthz) == 200

        wait_for("the gateway's /healthz to answer 200", gateway_healthy, timeout=60)
        run_outage(stack)
        rows = wait_for(
            f"a resolved incident of {SERVICE!r} (worker /mttr/report/)",
            lambda: resolved_report(settings),
            timeout=120,
            step=0.5,
        )
        print(f"worker /mttr/report/: {rows}")
        seen = prometheus_view(stack)  # before Prometheus stops
    finally:
        try:
            stack.stop()  # Prometheus first: no notification after this
        finally:
            codes = {"gateway": stop_process(gateway), "worker": stop_process(worker)}
    for name, code in codes.items():
        assert code == 0, f"{name} exited {code}:\n{logs[name].read_text()[-3000:]}"
    assert worker_status(settings) is None  # the worker released chDB

    incidents = read_incidents(settings)
    print(
        f"Prometheus: first failed scrape {utc(seen.t_down)}, first good scrape "
        f"{utc(seen.t_up)}: outage {seen.outage:.3f} s (scrape durations "
        f"{seen.d_down * 1000:.1f} / {seen.d_up * 1000:.1f} ms); alert pending "
        f"{utc(seen.active_at)}, firing {utc(seen.fired_at)}; missed evaluations "
        f"{seen.missed_evaluations}"
    )
    for row in incidents:
        print(
            f"incident {row['incident_id']}: {row['status']}, started_at "
            f"{row['started_at'].isoformat()}, resolved_at {row['resolved_at'].isoformat()}, "
            f"ttr_seconds {row['ttr_seconds']}, severity {row['severity']}, "
            f"alert_ids {row['alert_ids']}, event_count {row['event_count']}"
        )
    assert len(incidents) == 1, incidents
    incident = incidents[0]
    assert incident["status"] == "resolved"
    assert (incident["environment"], incident["severity"]) == ("production", "critical")
    assert (incident["alert_count"], incident["reopen_count"]) == (1, 0)
    started, resolved = incident["started_at"].timestamp(), incident["resolved_at"].timestamp()
    ttr = incident["ttr_seconds"]
    assert ttr == pytest.approx(resolved - started, abs=MS)

    e, f = TIMING.evaluation_s, TIMING.for_s
    late = seen.missed_evaluations * e  # a skipped evaluation delays firing by E
    # each step of the derivation in the module docstring
    assert -MS <= seen.active_at - seen.t_down < e + seen.d_down + OVERHEAD_S, "activeAt"
    assert f - MS <= seen.fired_at - seen.active_at <= f + late + MS, "firedAt != activeAt + for"
    assert started == pytest.approx(seen.fired_at, abs=2 * MS), "started_at != startsAt"
    assert -MS <= resolved - seen.t_up < e + seen.d_up + OVERHEAD_S + MS, "resolved_at"
    # the result: TTR = outage as seen by Prometheus - `for`, within one evaluation interval
    delta = ttr - (seen.outage - f)
    low = -(e + seen.d_down + OVERHEAD_S + late + 2 * MS)
    high = e + seen.d_up + OVERHEAD_S + 2 * MS
    print(
        f"ttr {ttr:.3f} s = outage {seen.outage:.3f} s - for {f} s {delta:+.3f} s "
        f"(allowed: {low:+.3f} .. {high:+.3f} s)"
    )
    assert low < delta < high
    assert seen.outage == pytest.approx(OUTAGE_S, abs=2 * TIMING.scrape_s)
