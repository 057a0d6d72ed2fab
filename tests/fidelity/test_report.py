"""The report: results as data, the markdown page, the charts, and the eval script end to end."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from trainer.fidelity.charts import plot_mood_curves, plot_outcomes
from trainer.fidelity.report import build_result, render_readme
from trainer.fidelity.run import run_matrix
from trainer.fidelity.strategies import TRAINEE_STRATEGIES
from trainer.llm.scripted import ScriptedBackend
from trainer.simulation import Simulator

META = {
    "title": "scripted",
    "backend": "scripted",
    "model": None,
    "prompt_strategy": None,
    "seeds": [0, 1],
    "turns": 6,
    "personas": ["test-caller"],
    "calls": 10,
    "duration_s": 1.5,
    "machine": "test box",
    "date": "2025-01-01",
    "command": "python scripts/eval_personas.py",
    "strategies": list(TRAINEE_STRATEGIES),
}


@pytest.fixture()
def result(persona, keyword_analyzer):
    sim = Simulator(ScriptedBackend(), keyword_analyzer)
    runs = run_matrix(sim, [persona], TRAINEE_STRATEGIES.values(), range(2), turns=6)
    return build_result(runs, {persona.id: persona}, META, turns=6)


def test_result_is_plain_json(result):
    again = json.loads(json.dumps(result))
    assert again == result
    assert set(result) == {
        "meta",
        "overall",
        "by_persona",
        "by_strategy",
        "cells",
        "mood_curves",
        "checks",
    }
    assert result["overall"]["calls"] == 10
    assert result["cells"]["test-caller"]["good"]["outcomes"] == {"resolved": 2}
    assert len(result["mood_curves"]["good"]) == 7  # start + 6 turns
    assert result["checks"] == {"test-caller": []}


def test_readme_tables(result):
    model = json.loads(json.dumps(result))
    model["meta"].update(
        title="local model, chat prompt",
        backend="local",
        model="bundled:smollm2",
        prompt_strategy="chat",
    )
    model["overall"].update(model_turns=40, raw_in_character=0.625)
    text = render_readme({"scripted": result, "local-chat": model}, "# Persona fidelity\n")
    assert text.startswith("# Persona fidelity\n")
    # the scripted section comes first, then the model's; the comparison lists the model only
    assert text.index("## scripted") < text.index("## local model, chat prompt")
    comparison = text.split("## Prompt strategies")[1].split("\n## ")[0]
    assert "62.5 %" in comparison and "| chat |" in comparison and "scripted |" not in comparison
    assert "| test-caller | 10 |" in text
    assert "| test-caller | R2 |" in text  # outcomes row starts with the good agent's
    assert "backend: `scripted`, model: `—`" in text
    assert "command: `python scripts/eval_personas.py`" in text
    assert "![mood by strategy](scripted-mood.png)" in text


def test_charts_are_written(result, tmp_path):
    plot_mood_curves(result, tmp_path / "mood.png")
    plot_outcomes(result, tmp_path / "outcomes.png")
    for name in ("mood.png", "outcomes.png"):
        data = (tmp_path / name).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000


def _eval_script():
    path = Path(__file__).resolve().parents[2] / "scripts" / "eval_personas.py"
    spec = importlib.util.spec_from_file_location("eval_personas", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_eval_script_writes_the_report(tmp_path, persona_yaml, monkeypatch, keyword_analyzer):
    import trainer.runtime

    monkeypatch.setattr(
        trainer.runtime,
        "make_simulator",
        lambda backend, strategy="continuation": Simulator(backend, keyword_analyzer),
    )
    personas = tmp_path / "personas"
    personas.mkdir()
    (personas / "test-caller.yaml").write_text(persona_yaml)
    out = tmp_path / "fidelity"
    script = _eval_script()
    monkeypatch.setattr(script, "make_simulator", trainer.runtime.make_simulator)
    argv = [
        "--backend",
        "scripted",
        "--personas-dir",
        str(personas),
        "--seeds",
        "1",
        "--turns",
        "4",
        "--out",
        str(out),
        "--calls-out",
        str(tmp_path / "calls.jsonl"),
    ]
    assert script.main(argv) == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "README.md",
        "scripted-mood.png",
        "scripted-outcomes.png",
        "scripted.json",
    ]
    saved = json.loads((out / "scripted.json").read_text())
    assert saved["meta"]["seeds"] == [0] and saved["meta"]["backend"] == "scripted"
    assert "--seeds 1" in saved["meta"]["command"]
    assert len((tmp_path / "calls.jsonl").read_text().splitlines()) == len(TRAINEE_STRATEGIES)
    readme = (out / "README.md").read_text()
    assert "## scripted" in readme and "| test-caller |" in readme
    assert script.main([*argv[:2], "--personas", "nobody", *argv[2:]]) == 2
    # metrics can be recomputed from the saved calls, keeping the run's meta
    (out / "README.md").unlink()
    assert (
        script.main(
            [
                "--rescore",
                str(tmp_path / "calls.jsonl"),
                "--out",
                str(out),
                "--personas-dir",
                str(personas),
            ]
        )
        == 0
    )
    again = json.loads((out / "scripted.json").read_text())
    assert again["meta"]["command"] == saved["meta"]["command"] and "rescored" in again["meta"]
    assert again["overall"] == saved["overall"]
    assert (out / "README.md").is_file()


def test_the_machine_line_of_a_llama_cpp_run_asks_no_torch_model():
    class _OnLlamaCpp:  # as LocalBackend on a GGUF: ``loaded`` raises, there is no torch model
        generates = True
        engine = "llamacpp"

        @property
        def loaded(self):
            raise AssertionError("a llama.cpp backend has no torch model")

    line = _eval_script()._machine(_OnLlamaCpp())
    assert line.endswith(", llama.cpp") and "CPU cores" in line
