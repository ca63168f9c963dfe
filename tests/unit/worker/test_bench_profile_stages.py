"""``python -m bench profile`` charges each py-spy stack to the stage nearest its leaf."""

from __future__ import annotations

from bench.profile_stages import OTHER, parse, shares, stage_of

AGENT = "ingest (/w/streams/worker/agents.py:120)"
SET = "__setitem__ (/v/site-packages/faust/tables/table.py:80)"
JSON = "dumps (/usr/lib/python3.11/json/__init__.py:231)"
LOG = "debug (/usr/lib/python3.11/logging/__init__.py:1465)"
FETCH = "_fetch (/v/site-packages/aiokafka/consumer/fetcher.py:400)"


def test_a_stack_goes_to_the_stage_nearest_its_leaf() -> None:
    produce = "Kafka produce (changelog, incidents, forwards)"
    assert stage_of([AGENT, SET, JSON]) == produce  # json under a table write
    assert stage_of([FETCH, LOG]) == "logging"  # a log record under aiokafka
    assert stage_of([FETCH]) == "fetch (aiokafka consumer)"
    send = "Sender._send_produce_req (/v/site-packages/aiokafka/producer/sender.py:288)"
    conn = "AIOKafkaConnection.send (/v/site-packages/aiokafka/conn.py:423)"
    write = "_SelectorSocketTransport.write (/usr/lib/python3.11/asyncio/selector_events.py:1)"
    assert stage_of([send, conn, write]) == produce  # the socket write of a produce request
    assert stage_of(["main (<frozen runpy>:88)"]) == OTHER
    take = "_take_from_queue (/w/streams/worker/faust_compat/stream.py:96)"
    assert stage_of([AGENT, take]) == "Faust consume path"  # the worker's lean path is Faust's


def test_raw_lines_are_summed_per_stage_and_shared() -> None:
    lines = [
        f"{AGENT};{SET};{JSON} 30",
        f"{FETCH};{LOG} 10",
        f"{AGENT} 60",
        "",
        "garbage",
    ]
    totals = parse(lines)
    assert totals == {
        "Kafka produce (changelog, incidents, forwards)": 30,
        "logging": 10,
        "our agents and pipeline": 60,
    }
    assert shares(totals)[0] == ("our agents and pipeline", 60, 0.6)
