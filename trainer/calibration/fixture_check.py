"""The shipped labelled sentences a calibrated rubric must still get right.

``trainer/rubric/signal_cases/*.yaml`` holds the team's own labelled sentences for the
default rubric's signals (one sentence a case; ``signals`` lists every signal it shows,
empty for a hard negative; ``speaker`` defaults to agent). They were written while the
patterns were tuned, so they measure regressions, not generalisation. ``calibrate``
checks every signal it fitted on them: a signal whose precision here would fall keeps
its old detector, so calibrating never buys recall on one team's labels with false
alarms on sentences the rubric already got right.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import yaml

from trainer.calibration.calibrated_rubric import calibrated_yaml
from trainer.calibration.detector_fit import SignalModel
from trainer.calibration.head_thresholds import with_thresholds
from trainer.calibration.signal_eval import Counts
from trainer.rubric.model import Rubric, parse_rubric
from trainer.scoring.embeddings import Encoder
from trainer.scoring.signal_heads import SignalHeads
from trainer.scoring.signals import SignalAnalyzer

CASES_DIR = Path(__file__).resolve().parent.parent / "rubric" / "signal_cases"


def load_cases(paths: Sequence[Path] | None = None) -> list[dict]:
    """The labelled cases of the given files (default: every shipped file), in order."""
    cases: list[dict] = []
    for path in paths if paths is not None else sorted(CASES_DIR.glob("*.yaml")):
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        cases += [{"speaker": "agent", **case} for case in data["cases"]]
    return cases


def confusion(analyzer: SignalAnalyzer, cases: Sequence[dict]) -> dict[str, Counts]:
    """signal -> counts over the cases; each case is read on its own (no context)."""
    found = analyzer.analyse_turns([(c["speaker"], c["text"]) for c in cases], [1] * len(cases))
    counts = {name: Counts() for name in analyzer.names()}
    for case, detections in zip(cases, found, strict=True):
        predicted = {d.signal for d in detections}
        for name in analyzer.names(case["speaker"]):
            hit, want = name in predicted, name in case["signals"]
            if hit and want:
                counts[name].tp += 1
            elif hit:
                counts[name].fp += 1
            elif want:
                counts[name].fn += 1
    return counts


def precision_falls(
    before: SignalAnalyzer,
    after: SignalAnalyzer,
    signals: Sequence[str],
    cases: Sequence[dict] | None = None,
) -> dict[str, tuple[float, float]]:
    """The signals (of ``signals``, labelled in the cases) whose precision on the shipped
    sentences is lower with ``after`` than with ``before`` (or that gain false alarms
    while finding none): name -> (before, after)."""
    cases = load_cases() if cases is None else cases
    labelled = {s for case in cases for s in case["signals"]}
    old, new = confusion(before, cases), confusion(after, cases)
    return {
        s: (round(old[s].precision, 3), round(new[s].precision, 3))
        for s in signals
        if s in labelled and s in old and s in new and _falls(old[s], new[s])
    }


def _falls(old: Counts, new: Counts) -> bool:
    return new.precision < old.precision or (new.tp == 0 and new.fp > old.fp)


def kept_on_fixtures(rubric: Rubric, analyzer: SignalAnalyzer, final: dict[str, SignalModel],
                      headed: dict[str, float], own_heads: SignalHeads | None, encoder: Encoder,
                      notes: list[str], check: bool) -> set[str]:  # fmt: skip
    """The fitted signals whose precision on the shipped signal cases does not fall; the
    others keep their detector, with a note each."""
    if not check or not final:
        return set(final)
    text = calibrated_yaml(rubric, {s: m for s, m in final.items() if s not in headed}, 0, 0)
    on_heads = {s: m.threshold for s, m in final.items() if s in headed}
    heads = with_thresholds(own_heads, on_heads) if own_heads and on_heads else own_heads
    tuned = SignalAnalyzer(parse_rubric(text, "<calibrated>").signals, encoder, heads=heads)
    falls = precision_falls(analyzer, tuned, list(final))
    for signal, (old, new) in falls.items():
        notes.append(f"{signal}: not fitted: precision on the shipped signal cases would fall "
                     f"{old:.2f} -> {new:.2f}")  # fmt: skip
    return set(final) - set(falls)
