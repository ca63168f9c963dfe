"""``python -m bench [views|gateway|pipeline|scaling|all] [OPTIONS]``: the benchmarks.

See bench/README.md.

* ``views`` (the default, so ``python -m bench --runs 3`` still times the
  views): every view on a million incidents in chDB (bench/views.py);
* ``gateway``: sustained webhooks on every route of ``mttr gateway``, every acknowledged
  event counted in Kafka (bench/gateway.py);
* ``pipeline``: the same pre-filled topics through raw consumers (aiokafka,
  confluent-kafka), our worker, a naive Faust version and a Quix Streams
  version, each checked against ours (bench/pipeline/);
* ``scaling``: 1, 2 and 3 ``mttr worker`` processes in one group on 8-partition
  topics, writing to one local ClickHouse server (bench/scaling.py);
* ``profile``: ``mttr worker`` on the pipeline dataset under py-spy, its CPU
  summed into stages (bench/profile.py; not part of ``all``);
* ``all``: the first four, with their default options (what ``make bench`` runs), then
  the performance goals measured by the pipeline and scaling parts, in one
  table (bench/goals.py), also written to bench/results/goals-<date>.json.
"""

import sys
from datetime import UTC, datetime
from typing import Any

import orjson
from rich.console import Console

from bench import gateway, goals, profile, scaling, views
from bench.pipeline import run as pipeline


def run_all() -> int:
    """Run the four benchmarks, then print and store every goal; return the highest status."""
    codes = [views.main([]), gateway.main([])]
    code, piped = pipeline.run([])
    codes.append(code)
    code, scaled = scaling.run([])
    codes.append(code)
    measured = goals.pipeline_goals(piped) + goals.scaling_goals(
        scaled["summary"], scaled["dataset"]["partitions"]
    )
    Console(width=132).print(goals.table(measured))
    result: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "goals": [goal.as_dict() for goal in measured],
        "from": {"pipeline": piped.get("date"), "scaling": scaled.get("date")},
    }
    path = scaling.RESULTS / f"goals-{datetime.now(UTC):%Y-%m-%d}.json"
    path.write_bytes(orjson.dumps(result, option=orjson.OPT_INDENT_2))
    print(f"written {path}")
    return max(codes)


def main(argv: list[str]) -> int:
    """Run the chosen benchmark(s); return the highest exit status."""
    name, rest = (
        (argv[0], argv[1:])
        if argv and argv[0] in ("views", "gateway", "pipeline", "scaling", "profile", "all")
        else ("views", argv)
    )
    if argv[:1] in (["-h"], ["--help"]):
        print(__doc__)  # then the options of the default, views
    if name == "gateway":
        return gateway.main(rest)
    if name == "pipeline":
        return pipeline.main(rest)
    if name == "scaling":
        return scaling.main(rest)
    if name == "profile":
        return profile.main(rest)
    if name == "all":
        if rest:
            msg = "`python -m bench all` takes no options; run each benchmark separately"
            raise SystemExit(msg)
        return run_all()
    return views.main(rest)


raise SystemExit(main(sys.argv[1:]))
