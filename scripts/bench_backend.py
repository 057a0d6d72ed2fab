"""Benchmark the generation backends: cold start, TTFT, tokens/s, reply time, peak RSS.

Every configuration runs in its own process, so "process ready" is a cold start from
an empty interpreter (imports, cached model load, warm-up) and peak RSS (getrusage) is
that configuration's own. Engines of ``--backend local``, side by side: ``llamacpp``
(the default on the CPU: llama.cpp running the bundled GGUF, as its Q8_0 copy unless
``FRONTLINE_BUNDLED_Q8=0``: ``engines/requantized.py``) and ``transformers``
(the fallback where llama.cpp did not build, and the engine on CUDA: the bundled model
dequantized into its converted folder). llama.cpp runs once per thread count (it ignores
the dtype); transformers once per dtype of ``--dtypes`` (default: the one the app picks
for this CPU). Prefix reuse is off here (llama.cpp's KV cache is reset before each reply;
transformers keeps none), so every reply reads its whole prompt; ``bench_reply.py``
measures replies in a call, where it helps. Prints a markdown table.

    .venv/bin/python scripts/bench_backend.py                 # llamacpp vs transformers
    .venv/bin/python scripts/bench_backend.py --replies 5 --dtypes float32,bfloat16 \
        --threads 1,2
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ENGINES = ("llamacpp", "transformers")

PROMPT = """\
You are playing a customer on a phone call to Northwind Broadband. Stay in character.
Name: Derek Walsh. Style: short sentences, sarcastic, says "third time" a lot.
Background: you were promised a technician twice and nobody came. You work from home
and lose a day's pay every day the line is down. Goal: a confirmed technician slot,
or a credit for the lost days. Mood: angry (7/10). Reply with one or two sentences.

Customer: Finally. Third time I'm calling. My internet has been dead since Monday.
Agent: I'm sorry to hear that. Can I take your account number, please?
Customer: NB-20417. It's on every email you send me.
Agent: Thank you. I can see two missed appointments here; that shouldn't have happened.
Customer:"""


def child(spec: dict) -> dict:
    """Run one configuration in this process; return its measurements."""
    from trainer.llm.base import GenerationParams

    if spec["kind"] == "convert":
        from trainer.llm.engines.bundled import converted_dir, ensure_converted, is_converted

        was_there = is_converted(converted_dir(Path(spec["cache_dir"])))
        t0 = time.perf_counter()
        ensure_converted(Path(spec["cache_dir"]))
        return {"convert_s": time.perf_counter() - t0, "converted": not was_there, **_rss()}
    backend = _backend(spec)
    t0 = time.perf_counter()
    backend.warmup()
    ready, ready_wall = time.perf_counter(), time.time()
    steps = _token_counter(backend)
    cpp = _llama_cpp(backend)
    ttfts, totals, tokens = [], [], []
    for i in range(spec["replies"]):
        if cpp is not None:
            cpp._llama()[0].reset()  # a cold prompt, as transformers reads every time
        params = GenerationParams(max_new_tokens=spec["tokens"], seed=i, timeout_s=600)
        before = steps[0]
        t = time.perf_counter()
        first = None
        for _ in backend.stream_text(PROMPT, params):
            first = first or time.perf_counter() - t
        totals.append(time.perf_counter() - t)
        ttfts.append(first or totals[-1])
        tokens.append(steps[0] - before)
    timed = zip(tokens, totals, ttfts, strict=True)
    decode = [(n - 1) / (tot - ft) for n, tot, ft in timed if n > 1 and tot > ft]
    return {
        "load_s": ready - t0,
        "process_ready_s": ready_wall - spec["spawned"],
        "ttft_ms": [x * 1000 for x in ttfts],
        "reply_s": totals,
        "tokens": tokens,
        "decode_tok_s": statistics.median(decode) if decode else float("nan"),
        "threads_used": _threads_used(backend),
        "dtype": "-" if cpp is not None else backend.loaded.dtype,
        "weights": Path(cpp._llama()[0].model_path).name if cpp is not None else "",
        **_rss(),
    }


def _backend(spec: dict):
    """The backend to measure (not loaded yet)."""
    from trainer.llm.hardware import set_threads
    from trainer.llm.local import LocalBackend

    engine = spec.get("engine", "llamacpp")
    if engine == "llamacpp":
        if spec.get("threads"):
            os.environ["FRONTLINE_THREADS"] = str(spec["threads"])
    else:
        set_threads(spec.get("threads"))  # this process's threads: one configuration each
    return LocalBackend(
        cache_dir=Path(spec["cache_dir"]),
        device=spec.get("device"),
        dtype=None if engine == "llamacpp" else spec["dtype"],
        engine=engine,
    )


def _llama_cpp(backend):
    """The llama.cpp backend that runs ``backend``, or None on torch."""
    return backend.llama_cpp


def _token_counter(backend) -> list[int]:
    """Count model steps from now on (one per generated token): a one-item list."""
    calls = [0]
    if _llama_cpp(backend) is not None:
        owner, attr = _llama_cpp(backend)._llama()[0], "eval"
    else:
        owner, attr = backend.loaded.model, "forward"
    real = getattr(owner, attr)

    def counting(*args, **kwargs):
        calls[0] += 1
        return real(*args, **kwargs)

    setattr(owner, attr, counting)
    return calls


def _threads_used(backend) -> int | None:
    if _llama_cpp(backend) is not None:
        llm = _llama_cpp(backend)._llama()[0]
        return llm.context_params.n_threads
    import torch

    return torch.get_num_threads() if backend.loaded.device == "cpu" else None


def _rss() -> dict:
    return {"peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def run_child(spec: dict) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", json.dumps({**spec, "spawned": time.time()})],
        capture_output=True,
        text=True,
    )
    if out.returncode != 0:
        raise SystemExit(f"{spec} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--replies", type=int, default=20)
    ap.add_argument("--tokens", type=int, default=40)
    ap.add_argument("--engines", default="llamacpp,transformers", help="llamacpp, transformers")
    ap.add_argument(
        "--dtypes", default="", help="transformers' dtypes, e.g. float32,bfloat16 (default: auto)"
    )
    ap.add_argument("--threads", default="", help="comma list, e.g. 1,2 (default: torch's)")
    ap.add_argument("--device", default=None, help="cpu, cuda... (default: cuda if available)")
    ap.add_argument("--cache-dir", help="use this converted cache instead of converting anew")
    ap.add_argument("--no-llamacpp", action="store_true", help="leave out llama.cpp")
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(json.loads(args.child))))
        return
    import torch

    from trainer.llm.llamacpp import llama_cpp_available

    engines = args.engines.split(",")
    unknown = sorted(set(engines) - set(ENGINES))
    if unknown:
        ap.error(f"unknown engine(s) {', '.join(unknown)}; choose from {', '.join(ENGINES)}")
    if args.no_llamacpp or not llama_cpp_available():
        engines = [e for e in engines if e != "llamacpp"]
    dtypes = [d for d in args.dtypes.split(",") if d] or [None]  # None: the app's choice
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="frontline-bench-") as tmp:
        cache = args.cache_dir or tmp
        convert = run_child({"kind": "convert", "cache_dir": cache})
        rows = []
        threads = [int(t) for t in args.threads.split(",") if t] or [None]
        common = {"cache_dir": cache, "replies": args.replies, "tokens": args.tokens}
        common["device"] = args.device
        for engine in engines:
            for dtype in [None] if engine == "llamacpp" else dtypes:
                for n in threads:
                    spec = {"kind": "local", "engine": engine, "dtype": dtype, "threads": n}
                    result = run_child({**spec, **common})
                    if engine == "llamacpp":
                        q8 = result["weights"].endswith("-q8_0.gguf")
                        label = f"local llamacpp {'Q8_0 copy' if q8 else result['weights']}"
                    else:
                        label = f"local {engine} {result['dtype']}"
                    label += f" {args.device}" if args.device else ""
                    rows.append((label, n, result))
                    print(f"done: {label} threads {n}: {result}", file=sys.stderr, flush=True)
    print(
        f"\nCPU threads (torch default): {torch.get_num_threads()}; os.cpu_count: "
        f"{os.cpu_count()}; {args.replies} replies of up to {args.tokens} tokens, "
        f"raw continuation of a {len(PROMPT)}-character prompt. Load average before/after: "
        f"{load_before:.1f}/{os.getloadavg()[0]:.1f}."
    )
    print(
        f"{'First conversion of the GGUF' if convert['converted'] else 'Cache found'}: "
        f"{convert['convert_s']:.1f} s "
        f"(peak RSS {convert['peak_rss_mb']:.0f} MB); llama.cpp importable: "
        f"{llama_cpp_available()}\n"
    )
    print(
        "| backend | threads | process ready (s) | load+warmup (s) | TTFT p50 (ms) | "
        "TTFT p95 (ms) | decode tok/s | reply p50 (s) | tokens/reply | peak RSS (MB) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, n, r in rows:
        print(
            f"| {name} | {r['threads_used'] or '-'}{'' if n else ' (default)'} | "
            f"{r['process_ready_s']:.1f} | {r['load_s']:.1f} | "
            f"{pct(r['ttft_ms'], 0.5):.0f} | {pct(r['ttft_ms'], 0.95):.0f} | "
            f"{r['decode_tok_s']:.1f} | {pct(r['reply_s'], 0.5):.2f} | "
            f"{statistics.mean(r['tokens']):.0f} | {r['peak_rss_mb']:.0f} |"
        )


if __name__ == "__main__":
    main()
