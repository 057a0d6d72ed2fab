"""``trainer signals train | eval`` and the labelled-turn format they read."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest
from scoring_helpers import needs_minilm

from trainer.calibration.heads_fit import pick_threshold
from trainer.calibration.signal_data import read_labelled_turns
from trainer.cli import main
from trainer.paths import default_rubric_path, repo_root
from trainer.rubric.model import load_rubric
from trainer.scoring.signal_heads import SignalHeads, bundled_heads

SPEAKERS = load_rubric().signal_speakers()


def write(path: Path, rows: list) -> Path:
    path.write_text(
        "\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n",
        encoding="utf-8",
    )
    return path


def test_bad_rows_name_their_file_and_line_and_the_rest_load(tmp_path: Path) -> None:
    good = {"speaker": "agent", "text": "I'm so sorry.", "signals": ["apologises"]}
    path = write(
        tmp_path / "l.jsonl",
        [
            good,
            "{not json",
            {"speaker": "bot", "text": "x", "signals": []},
            {"speaker": "agent", "text": "x", "signals": ["apologise"]},
            {"speaker": "agent", "text": "x", "signals": ["curses"]},
            {"speaker": "customer", "text": " ", "signals": []},
            [1, 2],
        ],
    )
    rows, problems = read_labelled_turns([path], SPEAKERS)
    assert [r.text for r in rows] == ["I'm so sorry."]
    assert [p.split(": ", 1)[0] for p in problems] == [f"{path}:{n}" for n in range(2, 8)]
    assert "Did you mean: apologises?" in problems[2]
    assert "'curses' is a customer signal, not agent" in problems[3]


def test_the_repository_data_is_valid_and_split_by_author() -> None:
    folder = repo_root() / "data" / "signals"
    train, problems = read_labelled_turns(sorted(folder.glob("train_*.jsonl")), SPEAKERS)
    held, more = read_labelled_turns(sorted(folder.glob("eval_*.jsonl")), SPEAKERS)
    assert not problems and not more
    assert len(train) >= 3600 and len(held) >= 600
    assert not {r.author for r in train} & {r.author for r in held}
    assert not {r.text for r in train} & {r.text for r in held}
    assert len({r.industry for r in train}) >= 7 and all(r.source for r in train + held)


def test_thresholds_keep_the_precision_floor() -> None:
    import numpy as np

    probs = np.array([0.95, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4])
    labels = np.array([1, 1, 0, 1, 0, 0, 0])
    threshold, precision, recall = pick_threshold(probs, labels, 0.9)
    assert precision >= 0.9 and 0.8 < threshold <= 0.9 and recall == pytest.approx(2 / 3)
    threshold, precision, _ = pick_threshold(probs, labels, 0.6)
    assert threshold <= 0.7 and precision == 0.75


@pytest.mark.minilm
@needs_minilm
def test_train_then_eval_from_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = []
    for i in range(12):
        rows.append(
            {
                "speaker": "agent",
                "text": f"I'm so sorry about the wait, number {i}.",
                "signals": ["apologises"],
                "source": f"authored:w{i % 3}",
            }
        )
        rows.append({"speaker": "agent", "text": f"Your order {i} is on the van today.",
                     "signals": [], "source": f"authored:w{i % 3}"})  # fmt: skip
    data = tmp_path / "data"
    data.mkdir()
    write(data / "train_x.jsonl", rows)
    out = tmp_path / "heads.npz"
    assert main(["signals", "train", "--data", str(data), "--out", str(out), "--folds", "3"]) == 0
    heads = SignalHeads.load(out)
    assert "apologises" in heads.names and "greets" in heads.names  # greets: the examples
    assert "curses" not in heads.names  # too few customer rows: no head
    assert heads.lexical is not None and np.any(heads.lexical[heads.index()["apologises"]])
    flat = tmp_path / "flat.npz"
    args = ["signals", "train", "--data", str(data), "--out", str(flat), "--folds", "3"]
    assert main([*args, "--embedding-only", "apologises"]) == 0
    forced = SignalHeads.load(flat)
    assert not np.any(forced.lexical[forced.index()["apologises"]])  # the embedding only
    assert main([*args, "--keep-ngrams", "no_such_signal"]) == 2
    capsys.readouterr()
    labels = write(tmp_path / "mine.jsonl", rows[:4])
    assert main(["signals", "eval", str(labels), "--by", "author"]) == 0
    printed = capsys.readouterr().out
    assert "apologises" in printed and "micro" in printed and "author w0" in printed
    # `eval --rubric R` runs the heads beside R, as the scorer does, not the bundled ones
    mine = tmp_path / "mine_rubric"
    mine.mkdir()
    (mine / "r.yaml").write_text(default_rubric_path().read_text(encoding="utf-8"), "utf-8")
    shipped = bundled_heads()
    assert shipped is not None
    mute = dataclasses.replace(shipped, thresholds=np.full_like(shipped.thresholds, 2.0))
    mute.save(mine / "r.heads.npz")  # the shipped heads, made never to fire
    only_a_head = {"speaker": "agent", "text": "What has this meant for you day to day?",
                   "signals": ["explores"], "source": "authored:w0"}  # fmt: skip
    labels = write(tmp_path / "explores.jsonl", [only_a_head])
    recall = lambda text: float(next(line.split()[3] for line in text.splitlines()  # noqa: E731
                                     if line.startswith("explores")))  # fmt: skip
    assert main(["signals", "eval", str(labels)]) == 0
    assert recall(capsys.readouterr().out) == 1.0
    assert main(["signals", "eval", "--rubric", str(mine / "r.yaml"), str(labels)]) == 0
    assert recall(capsys.readouterr().out) == 0.0
    assert main(["signals", "train", "--data", str(tmp_path / "none")]) == 2
