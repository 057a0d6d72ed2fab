"""The EPITOME mechanism model: fitted by calibrate, used by the scorecard, refused when worse.

``data/epitome_synthetic.jsonl`` is templated text written for these tests (no
third-party rows): 15 problems x emotional reactions none / weak / strong x
explorations none / strong. A hashed bag-of-words encoder stands in for MiniLM.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
from pathlib import Path

import numpy as np
import pytest
from scoring_helpers import BagOfWords, needs_minilm

from trainer.calibration.calibrate import calibrate
from trainer.calibration.calibrate_cli import calibrate_main, refuse_to_write
from trainer.calibration.embedding_cache import CachedEncoder
from trainer.calibration.epitome_csv import convert
from trainer.calibration.labels import LabelledCall, load_labels
from trainer.calibration.mechanism_fit import choose_offsets, macro_f1
from trainer.rubric.model import RubricError, load_rubric
from trainer.scoring.empathy import epitome
from trainer.scoring.scorer import score_transcript
from trainer.scoring.signals import SignalAnalyzer
from trainer.transcripts.transcript import Transcript

DATA = Path(__file__).parent / "data" / "epitome_synthetic.jsonl"


@pytest.fixture(scope="module")
def fitted(tmp_path_factory):
    rubric = load_rubric()
    calls = load_labels(DATA, rubric)
    cache = tmp_path_factory.mktemp("cache")
    progress = io.StringIO()
    result = calibrate(rubric, calls, k=3, embedder=BagOfWords(), cache_dir=cache,
                       progress=progress, model_name="cal.epitome.npz")  # fmt: skip
    return rubric, calls, result, progress.getvalue()


def _write(tmp_path: Path, result) -> Path:
    out = tmp_path / "cal.yaml"
    (tmp_path / "cal.epitome.npz").write_bytes(result.model_bytes)
    out.write_text(result.yaml_text, encoding="utf-8")
    return out


def test_mechanism_labels_fit_a_model_that_beats_the_rule(fitted):
    _, _, result, progress = fitted
    assert set(result.mechanisms) == {"emotional_reactions", "explorations"}
    for mechanism in result.mechanisms:
        before = result.before.item("epitome", mechanism)
        after = result.after.item("epitome", mechanism)
        assert after.macro_f1 > before.macro_f1, mechanism
    assert refuse_to_write(result) == ""
    # --folds is used: three folds per mechanism, each reported
    assert "emotional_reactions: fold 3/3" in progress and "fold 4/" not in progress


def test_the_scorecard_uses_the_fitted_model(fitted, tmp_path: Path):
    rubric, _, result, _ = fitted
    calibrated = load_rubric(_write(tmp_path, result))
    assert calibrated.epitome_model is not None and calibrated.hash != rubric.hash
    analyzer = SignalAnalyzer(rubric.signals, BagOfWords())
    call = Transcript.model_validate({"id": "t", "turns": [
        {"speaker": "customer", "text": "My cat went missing last night and I can't sleep."},
        {"speaker": "agent", "text": "My heart aches for you, that must feel so lonely and "
                                     "frightening, I'm so sorry."}]})  # fmt: skip
    plain = score_transcript(call, rubric, analyzer)
    card = score_transcript(call, calibrated, analyzer)
    graded = {"emotional_reactions": "model", "interpretations": "rule", "explorations": "model"}
    assert card.empathy["graded_by"] == graded
    assert "graded_by" not in plain.empathy
    assert card.empathy["call"]["emotional_reactions"] == "strong"
    # the rule grades that turn by word overlap: no word of the caller's is echoed
    assert plain.empathy["call"]["emotional_reactions"] != "strong"
    assert card.empathy["call"]["interpretations"] == plain.empathy["call"]["interpretations"]


def test_a_model_file_that_does_not_match_is_refused(fitted, tmp_path: Path):
    out = _write(tmp_path, fitted[2])
    (tmp_path / "cal.epitome.npz").write_bytes(b"not the model")
    with pytest.raises(RubricError, match="does not match the sha256"):
        load_rubric(out)
    (tmp_path / "cal.epitome.npz").unlink()
    with pytest.raises(RubricError, match="is missing"):
        load_rubric(out)


def test_a_rubric_without_a_model_keeps_its_hash():
    """The new field is left out of the hash when empty: old scorecards stay comparable."""
    rubric = load_rubric()
    assert rubric.epitome_model is None
    content = rubric.model_dump(mode="json", by_alias=True)
    del content["epitome_model"]
    digest = hashlib.sha256(json.dumps(content, sort_keys=True).encode("utf-8"))
    digest.update(hashlib.sha256(rubric.heads_file().read_bytes()).digest())
    assert rubric.hash == digest.hexdigest()


def test_calibrate_refuses_a_model_worse_than_the_rule(tmp_path: Path, capsys):
    """Labels that are the rule's own grades: the rule is perfect, a model can only lose."""
    rubric = load_rubric()
    analyzer = SignalAnalyzer(rubric.signals, BagOfWords())
    calls = load_labels(DATA, rubric)
    relabelled = []
    for call in calls:
        card = score_transcript(call.transcript(), rubric, analyzer)
        level = card.empathy["call"]["emotional_reactions"]
        relabelled.append(LabelledCall(id=call.id, turns=call.turns,
                                       labels={"epitome:emotional_reactions": level}))  # fmt: skip
    assert len({c.labels["epitome:emotional_reactions"] for c in relabelled}) >= 2
    result = calibrate(rubric, relabelled, k=3, embedder=BagOfWords(), cache_dir=tmp_path,
                       progress=None)  # fmt: skip
    assert result.before.item("epitome", "emotional_reactions").macro_f1 == 1.0
    refusal = refuse_to_write(result)
    assert "emotional_reactions worse" in refusal


def test_too_few_mechanism_labels_fit_nothing_and_write_nothing(tmp_path: Path, capsys,
                                                               monkeypatch):  # fmt: skip
    labels = tmp_path / "few.jsonl"
    labels.write_text("".join(DATA.read_text().splitlines(keepends=True)[:8]))
    monkeypatch.setenv("FRONTLINE_CACHE_DIR", str(tmp_path / "cache"))
    rubric = load_rubric()
    result = calibrate(rubric, load_labels(labels, rubric), k=2, embedder=BagOfWords(),
                       cache_dir=tmp_path, progress=None)  # fmt: skip
    assert not result.mechanisms and result.model_bytes is None
    assert any("emotional_reactions: not fitted" in n for n in result.notes)
    assert refuse_to_write(result).startswith("nothing was fitted")
    out = tmp_path / "out.yaml"
    args = argparse.Namespace(labels=str(labels), rubric=None, out=str(out), folds=2)
    monkeypatch.setattr("trainer.scoring.embeddings.Embedder.shared", lambda: BagOfWords())
    assert calibrate_main(args) == 1
    assert "nothing was fitted" in capsys.readouterr().err
    assert not out.exists() and not (tmp_path / "out.epitome.npz").exists()


def test_embeddings_are_cached_on_disk_with_progress(tmp_path: Path):
    texts = [f"sentence number {i}" for i in range(300)]
    first, progress = BagOfWords(), io.StringIO()
    vectors = CachedEncoder(first, tmp_path, progress=progress, batch=128).encode(texts)
    assert first.seen == 300
    assert progress.getvalue().splitlines() == ["encoding 128/300", "encoding 256/300",
                                                "encoding 300/300"]  # fmt: skip
    second = BagOfWords()
    again = CachedEncoder(second, tmp_path, progress=None)
    assert np.array_equal(again.encode(texts[::-1]), vectors[::-1])
    assert second.seen == 0 and again.hits == 300
    again.encode(["a new one", texts[0]])
    assert second.seen == 1


def test_offsets_trade_classes_for_macro_f1_under_a_precision_floor():
    y = np.array([0] * 20 + [1] * 5 + [2] * 5)
    logp = np.log(np.tile([0.6, 0.25, 0.15], (30, 1)))
    logp[20:25] = np.log([0.5, 0.4, 0.1])  # weak rows: weak is second best
    logp[25:] = np.log([0.45, 0.1, 0.45])
    plain = macro_f1(y, np.argmax(logp, axis=1), [0, 1, 2])
    offsets = choose_offsets(logp, y, 0.9)
    tuned = macro_f1(y, np.argmax(logp + offsets, axis=1), [0, 1, 2])
    assert tuned == 1.0 > plain


def test_epitome_csvs_are_deduplicated_and_conflicts_dropped(tmp_path: Path):
    rows = {"emotional-reactions": [("s1", "r1", 2), ("s1", "r1", 2), ("s2", "r2", 0)],
            "explorations": [("s1", "r1", 0), ("s2", "r2", 1), ("s2", "r2", 2)]}  # fmt: skip
    paths = []
    for name, items in rows.items():
        path = tmp_path / f"{name}-reddit.csv"
        with path.open("w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["sp_id", "rp_id", "seeker_post", "response_post", "level", "rationales"])
            for sp, rp, level in items:
                w.writerow([sp, rp, f"post {sp}", f"reply {rp}", level, ""])
        paths.append(path)
    converted = convert(paths)
    assert converted.repeated == 2
    assert converted.conflicting == {"emotional_reactions": 0, "interpretations": 0,
                                     "explorations": 1}  # fmt: skip
    by_id = {r["id"]: r["labels"] for r in converted.rows}
    assert by_id == {"s1/r1": {"epitome:emotional_reactions": "strong",
                               "epitome:explorations": "none"},
                     "s2/r2": {"epitome:emotional_reactions": "none"}}  # fmt: skip


def test_the_rule_still_grades_without_a_model():
    found = epitome(["customer", "agent"], ["My router is broken.", "Hello."], [])
    assert found["call"] == {"emotional_reactions": "none", "interpretations": "none",
                             "explorations": "none"}  # fmt: skip
    assert "graded_by" not in found


@needs_minilm
def test_cli_writes_the_model_and_agreement_reads_it_with_minilm(tmp_path: Path, capsys):
    out = tmp_path / "out" / "calibrated.yaml"
    args = argparse.Namespace(labels=str(DATA), rubric=None, out=str(out), folds=3)
    assert calibrate_main(args) == 0
    printed = capsys.readouterr()
    assert "emotional_reactions: EPITOME model fitted on 90 turns -> calibrated.epitome.npz" in (
        printed.out
    )
    assert "explorations: fold 3/3" in printed.err
    calibrated = load_rubric(out)
    assert calibrated.epitome_model_file() == out.parent / "calibrated.epitome.npz"
    call = Transcript.model_validate({"id": "t", "turns": [
        {"speaker": "customer", "text": "The landlord still hasn't fixed the heating."},
        {"speaker": "agent", "text": "Ring them on Monday when the line opens."}]})  # fmt: skip
    card = score_transcript(call, calibrated)
    assert card.empathy["graded_by"]["emotional_reactions"] == "model"
    assert card.empathy["call"]["emotional_reactions"] == "none"
    # a second run reads every embedding from the disk cache: no "encoding" progress
    assert calibrate_main(args) == 0
    assert "encoding " not in capsys.readouterr().err
