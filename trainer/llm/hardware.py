"""What this machine offers a model: the device, the fastest dtype, torch's CPU threads.

``default_device`` and ``default_dtype`` are read when a model loads; ``set_threads``
changes the whole process, so only entry points call it, once.
"""

from __future__ import annotations

import os
import sys


def default_device() -> str:
    """``$FRONTLINE_DEVICE``, else ``cuda`` when available, else ``mps``, else ``cpu``."""
    chosen = os.environ.get("FRONTLINE_DEVICE", "").strip()
    if chosen:
        return chosen
    import torch

    if torch.cuda.is_available():
        return "cuda"
    if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
        return "mps"
    return "cpu"


def default_dtype(device: str) -> str:
    """The fastest dtype measured for ``device`` (``$FRONTLINE_DTYPE`` overrides).

    CPU: bfloat16 where the processor has bf16 matrix instructions (AMX / AVX512-BF16:
    prompt processing is about 3x faster than float32 and decoding about equal),
    else float32 (bfloat16 is emulated and slow there). GPU: bfloat16, or float16.
    """
    chosen = os.environ.get("FRONTLINE_DTYPE", "").strip()
    if chosen:
        return chosen
    if device.startswith("cuda"):
        import torch

        return "bfloat16" if torch.cuda.is_bf16_supported() else "float16"
    if device == "mps":
        return "float16"
    return "bfloat16" if _cpu_has_bf16() else "float32"


def _cpu_has_bf16() -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            flags = next((line for line in info if line.startswith("flags")), "").split()
    except OSError:
        return False
    return "amx_bf16" in flags or "avx512_bf16" in flags


def set_threads(threads: int | None = None) -> int:
    """Set torch's CPU threads for the process; returns the count now in use.

    ``threads`` if given, else ``$FRONTLINE_THREADS``, else one core fewer than the
    machine has. Entry points call this once (``runtime.make_backend`` does, for a
    local backend); backends never do.

    Leaving a core free matters on small machines: on 2 cores busy with a browser,
    the web server or the embedder, torch with 2 threads stalled at every parallel
    region (seconds per token) while 1 thread kept its pace. Without ``threads``
    the count is only ever lowered, never raised above what torch already uses.
    """
    import torch

    threads = threads or int(os.environ.get("FRONTLINE_THREADS", "0") or 0) or None
    if threads:
        torch.set_num_threads(threads)
    else:
        spare = max(1, _usable_cpus() - 1)
        if spare < torch.get_num_threads():
            torch.set_num_threads(spare)
    return torch.get_num_threads()


def _usable_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))  # honours taskset and container cpusets
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1
