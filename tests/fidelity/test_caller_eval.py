"""The caller on held-out data (``data/fidelity/``, written by someone who never saw the code).

Floors below what the planner reaches today (``scripts/eval_caller.py``): they fail when the
planner stops answering what was asked, starts blurting details it was not asked for, or
hangs up on decent trainees.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from scoring_helpers import needs_minilm

from trainer.fidelity.caller_eval import (
    answer_rate,
    early_hang_ups,
    outcome_table,
    read_jsonl,
    script_outcomes,
)
from trainer.llm.scripted import ScriptedBackend
from trainer.paths import default_personas_dir
from trainer.personas.loading import load_personas
from trainer.scoring.signals import SignalAnalyzer
from trainer.simulation.call import Simulator

DATA = Path(__file__).resolve().parents[2] / "data" / "fidelity"

pytestmark = [pytest.mark.minilm, needs_minilm]


@pytest.fixture(scope="module")
def sim() -> Simulator:
    return Simulator(ScriptedBackend(), SignalAnalyzer.default(), strategy="authored")


@pytest.fixture(scope="module")
def personas():
    return load_personas(default_personas_dir()).personas


def test_asked_details_are_given_in_the_same_reply(sim, personas):
    rate = answer_rate(sim, personas, read_jsonl(DATA / "asks_writer_h.jsonl"))
    assert rate.asks >= 180 and rate.negatives >= 30
    assert rate.rate is not None and rate.rate >= 0.95, rate.misses[:5]  # 185/189 (97.9 %) measured
    assert rate.leaked <= 2  # a detail only mentioned is not blurted out


def test_trainee_scripts_end_the_way_a_trainer_expects(sim, personas):
    runs = script_outcomes(sim, personas, read_jsonl(DATA / "trainee_scripts_writer_h.jsonl"))
    table = outcome_table(runs)
    assert sum(table["good"].values()) == 16
    # measured at this commit: good 16/16 resolved, nervous 1/16 hung up, poor 13/16
    assert table["good"]["resolved"] >= 15
    assert table["nervous"]["hung_up"] <= 1
    assert table["poor"]["hung_up"] + table["poor"]["escalated"] >= 13
    assert early_hang_ups([r for r in runs if r.kind != "good"]) == []
    assert sum(r.repeats for r in runs) <= 6
