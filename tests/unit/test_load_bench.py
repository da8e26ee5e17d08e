"""The load generator of `make bench` without a stack: figures, scripts, the conversation loop
against a stand-in channel, the RSS sampler on this process, the JSON file. No timings asserted."""

import argparse
import json
import math
import os
import subprocess

from ops.load import bench as load_bench
from ops.load.bench import LoadBench, add_arguments
from ops.load.driver import LevelRun, Target, TurnResult, run_conversation
from ops.load.rss import PeakRss, _process_group, group_rss_mb
from ops.load.scripts import Script, Turn, our_scripts, schedule, starter_scripts
from ops.load.stats import (
    comparison_table,
    cpu_ms_per_message,
    json_safe,
    level_table,
    percentile,
    ratios,
    summarize,
)
from pharmacy.access.chat_sessions import SECRET_METADATA_KEY
from pharmacy.access.login_tokens import METADATA_KEY as LOGIN_TOKEN_KEY


def test_percentiles_are_nearest_rank():
    samples = [float(n) for n in range(100, 0, -1)]
    assert (percentile(samples, 0.5), percentile(samples, 0.95), percentile(samples, 0.99)) == (
        50.0,
        95.0,
        99.0,
    )
    assert percentile([7.0], 0.99) == 7.0
    assert math.isnan(percentile([], 0.5))


def _run(turns):
    return LevelRun(concurrency=8, elapsed_s=2.0, conversations=3, turns=turns)


def test_a_level_is_summarised_overall_and_per_skill_with_errors_apart():
    turns = [TurnResult("faq", ms) for ms in (10.0, 20.0, 30.0)]
    turns += [TurnResult("refill", 100.0), TurnResult("refill", 5.0, "http 500")]
    turns += [TurnResult("handoff", 30000.0, "timeout")]
    level = summarize(_run(turns), {"rasa": 900.0})
    assert level["answered"] == 4 and level["turns"] == 6
    assert level["msg_per_s"] == 2.0  # answered turns over the elapsed time
    assert level["p50_ms"] == 20.0 and level["p99_ms"] == 100.0  # errors are not in latency
    assert level["per_skill"]["faq"] == {
        "n": 3,
        "p50_ms": 20.0,
        "p95_ms": 30.0,
        "p99_ms": 30.0,
        "errors": 0,
    }
    assert level["per_skill"]["refill"]["n"] == 1 and level["per_skill"]["refill"]["errors"] == 1
    assert level["per_skill"]["handoff"]["n"] == 0 and level["per_skill"]["handoff"]["errors"] == 1
    assert level["errors"] == 2 and level["errors_by_kind"] == {"http 500": 1, "timeout": 1}
    assert level["peak_rss_mb"] == {"rasa": 900.0}


def test_ratios_are_ours_over_the_starters_per_level():
    ours = [summarize(_run([TurnResult("faq", 200.0)] * 10), {})]
    starter = [summarize(_run([TurnResult("greet", 50.0)] * 20), {})]
    assert ratios(ours, starter) == [{"concurrency": 8, "throughput": 0.5, "p50": 4.0, "p95": 4.0}]
    table = comparison_table(ours, starter)
    assert "0.50x" in table and "4.00x" in table


def test_a_level_with_nothing_answered_still_makes_strict_json():
    level = summarize(_run([TurnResult("faq", 1.0, "no reply text")]), {})
    text = json.dumps(json_safe(level), allow_nan=False)
    assert json.loads(text)["p95_ms"] is None


def test_the_starter_gets_the_same_turn_counts_weights_and_order():
    ours = our_scripts("C-1001", "EP-1")
    theirs = starter_scripts(ours)
    assert [(len(s.turns), s.weight) for s in theirs] == [(len(s.turns), s.weight) for s in ours]
    assert all(turn.text and turn.button is None for s in theirs for turn in s.turns)
    assert {s.skill for s in ours} >= {
        "medicine",
        "faq",
        "tracking",
        "refill",
        "handoff",
        "fallback",
    }
    order = schedule(ours)
    assert sorted(order) == sorted(i for i, s in enumerate(ours) for _ in range(s.weight))
    assert schedule(theirs) == order


class _Response:
    def __init__(self, status_code, replies):
        self.status_code = status_code
        self._replies = replies

    def json(self):
        return self._replies


class _Channel:
    """Stands in for requests.Session: records what is posted, answers from a list."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.posted = []

    def post(self, url, json, timeout):
        self.posted.append(json)
        return self.answers.pop(0)


def test_a_conversation_presses_the_wanted_button_and_logs_in_on_its_first_message_only():
    offer = [
        {
            "text": "How?",
            "buttons": [
                {"title": "Ship", "payload": "/home"},
                {"title": "Pick up", "payload": "/pickup"},
            ],
        }
    ]
    channel = _Channel(
        _Response(200, offer),
        _Response(200, [{"text": "Summary"}]),
        _Response(200, [{"text": "ok"}]),
    )
    script = Script("refill", (Turn("refill"), Turn(button="Pick up"), Turn("no")), login="C-1001")
    target = Target("ours", "http://x", chat_key="k", login_token=lambda ref: f"token-{ref}")
    results = []
    run_conversation(target, script, channel, deadline=math.inf, timeout=5, record=results.append)
    assert [p["message"] for p in channel.posted] == ["refill", "/pickup", "no"]
    assert channel.posted[0]["metadata"][LOGIN_TOKEN_KEY] == "token-C-1001"
    assert all(LOGIN_TOKEN_KEY not in p["metadata"] for p in channel.posted[1:])
    assert len({p["metadata"][SECRET_METADATA_KEY] for p in channel.posted}) == 1
    assert len({p["sender"] for p in channel.posted}) == 1
    assert [(r.skill, r.error) for r in results] == [("refill", None)] * 3


def test_a_turn_without_reply_text_is_an_error_and_ends_the_conversation():
    channel = _Channel(_Response(200, [{"image": "x"}]), _Response(200, [{"text": "never"}]))
    results = []
    script = Script("faq", (Turn("a"), Turn("b")))
    run_conversation(Target("starter", "http://x"), script, channel, math.inf, 5, results.append)
    assert [r.error for r in results] == ["no reply text"]
    assert SECRET_METADATA_KEY not in channel.posted[0]["metadata"]  # no chat key, no secret


def test_a_failed_status_and_a_missing_button_are_errors():
    results = []
    script = Script("faq", (Turn("a"),))
    run_conversation(
        Target("t", "http://x"), script, _Channel(_Response(503, [])), math.inf, 5, results.append
    )
    needs_button = Script("refill", (Turn("a"), Turn(button="Pick up")))
    channel = _Channel(_Response(200, [{"text": "no buttons here"}]))
    run_conversation(Target("t", "http://x"), needs_button, channel, math.inf, 5, results.append)
    assert [r.error for r in results] == ["http 503", None, "no button"]


def test_the_rss_sampler_sees_this_process_group():
    group = os.getpgid(0)
    assert _process_group(os.getpid()) == group
    with PeakRss({"tests": group}, interval=0.05) as peak:
        ballast = bytearray(20 * 1024 * 1024)  # touched, so it is resident
        sum(range(2_000_000))  # some CPU for the accounting to see
    assert peak.peaks["tests"] >= 20 and len(ballast) > 0
    assert set(peak.cpu_s) == {"tests", "load client", "other", "machine"}
    # The machine's and the process's counters tick apart (1/100 s each), so allow a few ticks.
    assert peak.cpu_s["machine"] + 0.05 >= peak.cpu_s["load client"] > 0
    assert min(peak.cpu_s.values()) >= 0
    assert group_rss_mb({"nobody": 2**22 + 12345}) == {"nobody": 0.0}


def test_the_json_file_holds_settings_levels_and_ratios(tmp_path):
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args(
        ["--seconds", "5", "--levels", "1,4", "--json", str(tmp_path / "b.json")]
    )
    bench = LoadBench(args)
    assert bench.levels == [1, 4]
    level = summarize(_run([TurnResult("faq", 10.0)]), {"rasa": 1.0})
    bench.record["assistants"]["ours"] = {"levels": [level]}
    bench.record["assistants"]["starter"] = {"levels": [level]}
    path = bench.finish({"ours_start_to_ready_s": 12.5})
    record = json.loads(path.read_text())
    assert record["settings"] == {"seconds": 5.0, "levels": [1, 4], "timeout_s": 30.0}
    assert record["ratios"][0]["throughput"] == 1.0
    assert record["assistants"]["ours"]["levels"][0]["per_skill"]["faq"]["n"] == 1
    assert record["ours_start_to_ready_s"] == 12.5 and record["machine"]["cpus"]


def test_a_starter_that_cannot_be_made_is_reported_and_our_figures_are_still_written(
    tmp_path, monkeypatch, capsys
):
    def fail(self):
        raise subprocess.CalledProcessError(1, ["rasa", "init"])

    monkeypatch.setattr(load_bench.Starter, "create", fail)
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    bench = LoadBench(parser.parse_args(["--json", str(tmp_path / "b.json")]))
    (tmp_path / "starter-init.log").write_text("Training failed: no space left\n")
    bench.measure_starter(tmp_path)
    assert "no space left" in capsys.readouterr().out
    record = json.loads(bench.finish().read_text())
    assert bench.failed and "rasa init failed" in record["starter_error"]
    assert record["ratios"] == []


def test_cpu_per_answered_turn_is_per_service_and_the_level_prints_it():
    cpu = {"rasa": 6.0, "actions": 0.5, "load client": 1.0, "other": 3.0, "machine": 10.5}
    assert cpu_ms_per_message(cpu, 60) == {"rasa": 100.0, "actions": 0.5 * 1000 / 60}
    assert cpu_ms_per_message(cpu, 0) == {}
    level = summarize(_run([TurnResult("faq", 1.0)] * 60), {"rasa": 1.0})
    level["cpu_s"] = cpu
    table = level_table("ours", level)
    assert "other 3" in table and "CPU ms per answered turn: rasa 100, actions 8" in table
