"""The calibrated rubric's YAML: the original with fitted thresholds and classifiers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from trainer.calibration.detector_fit import SignalModel
from trainer.rubric.model import Rubric


class _PlainDumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True


def calibrated_yaml(rubric: Rubric, models: dict[str, SignalModel], calls: int, k: int,
                    epitome_model: dict[str, str] | None = None) -> str:  # fmt: skip
    """The rubric's YAML with fitted thresholds (and classifiers) and the EPITOME
    model's reference; version marked calibrated."""
    source = Path(rubric.source)
    if source.is_file():
        data = yaml.safe_load(source.read_text(encoding="utf-8"))
    else:
        data = rubric.model_dump(mode="json", by_alias=True, exclude_unset=True)
    for signal, model in models.items():
        spec = data["signals"][signal]
        spec["threshold"] = round(model.threshold, 4)
        spec.pop("classifier", None)
        if model.is_classifier:
            spec["classifier"] = model.as_yaml()
    data.pop("epitome_model", None)
    if epitome_model is not None:
        data["epitome_model"] = epitome_model
    version = str(data.get("version", 1))
    data["version"] = version if version.endswith("-calibrated") else f"{version}-calibrated"
    header = (
        f"# Calibrated by `python -m trainer calibrate` from {calls} labelled calls "
        f"({k}-fold cross-validated)\n# starting from rubric {rubric.id} v{rubric.version} "
        f"(sha256 {rubric.hash[:16]}...). Comments of the original are not kept.\n"
    )
    body = yaml.dump(data, Dumper=_PlainDumper, sort_keys=False, allow_unicode=True, width=100)
    return header + body
