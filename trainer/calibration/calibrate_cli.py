"""``python -m trainer calibrate``: run the calibration, refuse a worse rubric, write it.

Exit 0: the calibrated rubric (and beside it its EPITOME model and its learned heads with
fitted thresholds, when fitted) written and loaded back; 1: refused (nothing fitted, or
worse than before), nothing written; 2: bad input.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from trainer.calibration.calibrate import CalibrationResult, calibrate
from trainer.calibration.labels import LabelError, load_labels
from trainer.calibration.mechanism_fit import mechanism_labels
from trainer.rubric.model import RubricError, load_rubric
from trainer.scoring.empathy_model import model_path_for
from trainer.scoring.signal_heads import heads_path_for


def refuse_to_write(result: CalibrationResult) -> str:
    """Why the calibrated rubric must not be written ("" when it may).

    Nothing was fitted (no labelled signal has a threshold or classifier to fit:
    the output would be the input under a new hash), or the cross-validated mean
    macro-F1 after is below the agreement before (a worse rubric)."""
    if not result.changes and not result.mechanisms:
        why = "; ".join(result.notes) or "the labels name no signal or mechanism to fit"
        return f"nothing was fitted ({why})"
    for mechanism in result.mechanisms:
        b, a = result.before.item("epitome", mechanism), result.after.item("epitome", mechanism)
        if b is not None and a is not None and a.macro_f1 < b.macro_f1:
            return (
                f"calibrating would make agreement on {mechanism} worse (macro-F1 "
                f"{b.macro_f1:.3f} -> {a.macro_f1:.3f}, cross-validated)"
            )
    before, after = result.before.mean("macro_f1"), result.after.mean("macro_f1")
    if before is not None and after is not None and after < before:
        return (
            f"calibrating would make agreement worse (mean macro-F1 {before:.3f} -> "
            f"{after:.3f}, cross-validated)"
        )
    return ""


def calibrate_main(args: argparse.Namespace) -> int:
    """``python -m trainer calibrate LABELS --rubric R --out PATH [--folds K]``.

    Exit 0: written; 1: refused (nothing fitted, or worse than before); 2: bad input."""
    try:
        rubric = load_rubric(args.rubric)
        labelled = load_labels(args.labels, rubric)
        out = Path(args.out)
        result = calibrate(rubric, labelled, k=getattr(args, "folds", 5) or 5,
                           model_name=model_path_for(out).name, progress=sys.stderr)  # fmt: skip
    except (RubricError, LabelError, ValueError) as exc:
        print(exc, file=sys.stderr)
        return 2
    refusal = refuse_to_write(result)
    if refusal:
        print(result.table(), file=sys.stderr)
        print(f"{refusal}; {args.out} was not written", file=sys.stderr)
        return 1
    out.parent.mkdir(parents=True, exist_ok=True)
    model_file = model_path_for(out)
    if result.model_bytes is not None:
        model_file.write_bytes(result.model_bytes)
    elif model_file.is_file():
        model_file.unlink()  # a stale model from an earlier run must not be picked up
    heads_file = heads_path_for(out)
    if result.heads is not None:
        result.heads.save(heads_file)
    elif heads_file.is_file():
        heads_file.unlink()  # stale heads from an earlier run would be scored with
    out.write_text(result.yaml_text, encoding="utf-8")
    try:
        written = load_rubric(out)  # its hash covers the heads and model beside it
    except RubricError as exc:  # pragma: no cover - the text was validated already
        print(f"the calibrated rubric does not load back: {exc}", file=sys.stderr)
        return 1
    print(f"Agreement with {len(labelled)} labelled calls: before -> after calibration "
          f"({result.folds}-fold cross-validated)")  # fmt: skip
    print(result.table())
    for signal, change in result.changes.items():
        old, new = change["threshold"]
        print(f"  {signal}: threshold {old} -> {new} ({change['detector']}, "
              f"{change['labels']} labels, {change['positive']} positive)")  # fmt: skip
    if result.heads is not None:
        print(f"  learned heads with the fitted thresholds -> {heads_file.name}")
    for mechanism, rows in result.mechanisms.items():
        print(f"  {mechanism}: EPITOME model fitted on {rows} turns -> {model_file.name}")
    for note in result.notes:
        print(f"  note: {note}")
    unfitted = [m for m in mechanism_labels(rubric, labelled) if m not in result.mechanisms]
    if unfitted:
        print(f"warning: EPITOME labels for {', '.join(unfitted)} fitted nothing: the "
              "word-overlap rule still grades them", file=sys.stderr)  # fmt: skip
    print(f"Wrote {out} (rubric sha256 {written.hash[:16]}...)")
    return 0
