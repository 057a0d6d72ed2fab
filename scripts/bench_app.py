"""Benchmark the browser app over its real HTTP API: N trainees talking at once.

Starts ``python -m trainer app`` in a subprocess (or uses ``--url``), then for each
N in ``--levels`` runs N simulated trainees in parallel, each with its own
``gradio_client`` session: start a call, say ``--turns`` lines, and time every
reply — time to the first customer text (TTFT: what the trainee waits for) and
to the whole reply. Prints a markdown table.

    python scripts/bench_app.py                       # bundled local model
    python scripts/bench_app.py --no-model            # scripted lines (app overhead only)
    python scripts/bench_app.py --backend openai --base-url http://gpu:8000/v1 --model M
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
PERSONAS = ["angry-escalation", "warm-up", "billing-dispute", "queue-waiter"]
LINES = [
    "Hello, you're through to customer support, my name is Sam. How can I help?",
    "I'm sorry to hear that, I understand how frustrating it must be.",
    "Can I take your account number so I can look into this?",
    "I'll take care of this myself and book a fix for tomorrow morning.",
    "Is there anything else I can help you with today?",
]


@dataclass
class Level:
    """What one concurrency level measured."""

    n: int
    ttft: list[float] = field(default_factory=list)
    full: list[float] = field(default_factory=list)
    errors: int = 0
    turns: int = 0
    wall: float = 0.0


def percentile(values: list[float], q: float) -> float | None:
    """The ``q`` quantile (0..1) by linear interpolation; None when empty."""
    if not values:
        return None
    xs = sorted(values)
    pos = (len(xs) - 1) * q
    lo, hi = int(pos), min(int(pos) + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(_text(c) for c in content)
    if isinstance(content, dict):
        return str(content.get("text") or "")
    return ""


def _customer_replied(chat: list[dict], line: str) -> bool:
    """True once the chat ends with the trainee's line and some customer text after it."""
    if len(chat) < 2 or chat[-1]["role"] != "assistant":
        return False
    return _text(chat[-2]["content"]) == line and bool(_text(chat[-1]["content"]).strip())


def one_turn(client: Any, line: str) -> tuple[float | None, float, bool]:
    """Send one line; (seconds to first customer text, seconds to the end, call ended)."""
    start = time.perf_counter()
    job = client.submit(line, api_name="/send_line")
    ttft, seen = None, 0
    while True:
        done = job.done()
        outs = job.outputs()
        for out in outs[seen:]:
            if ttft is None and _customer_replied(out[1], line):
                ttft = time.perf_counter() - start
        seen = len(outs)
        if done:
            break
        time.sleep(0.005)
    job.result()  # raises on a server error
    final = job.outputs()[-1]
    return ttft, time.perf_counter() - start, "ended" in str(final[4])


def trainee(url: str, i: int, turns: int, level: Level, lock: threading.Lock, go: Any) -> None:
    """One simulated trainee: a call of ``turns`` lines (a new call if the customer hangs up)."""
    from gradio_client import Client

    try:
        client = Client(url, verbose=False)
    except Exception:  # noqa: BLE001 - counted
        with lock:
            level.errors += turns
        return
    persona = PERSONAS[i % len(PERSONAS)]
    go.wait()
    need_call = True
    for t in range(turns):
        try:
            if need_call:
                client.predict(persona, f"bench-{level.n}-{i}", api_name="/start_call")
            ttft, full, ended = one_turn(client, LINES[(i + t) % len(LINES)])
            need_call = ended
            with lock:
                level.turns += 1
                if ttft is None:
                    level.errors += 1
                else:
                    level.ttft.append(ttft)
                    level.full.append(full)
        except Exception:  # noqa: BLE001 - counted, the others go on
            with lock:
                level.errors += 1
            need_call = True


def run_level(url: str, n: int, turns: int) -> Level:
    """N trainees at once, released together."""
    level, lock, go = Level(n), threading.Lock(), threading.Barrier(n + 1)
    threads = [
        threading.Thread(target=trainee, args=(url, i, turns, level, lock, go)) for i in range(n)
    ]
    for t in threads:
        t.start()
    go.wait()
    start = time.perf_counter()
    for t in threads:
        t.join()
    level.wall = time.perf_counter() - start
    return level


def start_app(args: argparse.Namespace, db: Path) -> tuple[subprocess.Popen, str]:
    """``python -m trainer app`` on a free port; returns once it answers."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cmd = [sys.executable, "-m", "trainer", "app", "--port", str(port), "--db", str(db)]
    for flag in ("backend", "model", "base_url", "personas", "strategy"):
        if getattr(args, flag):
            cmd += [f"--{flag.replace('_', '-')}", str(getattr(args, flag))]
    if args.no_model:
        cmd.append("--no-model")
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False"}
    if args.concurrency:
        env["FRONTLINE_CONCURRENCY"] = str(args.concurrency)
    proc = subprocess.Popen(cmd, cwd=REPO, env=env)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + args.startup_timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the app exited with {proc.returncode}: {' '.join(cmd)}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc, url
        except OSError:
            time.sleep(0.5)
    proc.terminate()
    raise SystemExit(f"the app did not answer within {args.startup_timeout}s")


def cpu_name() -> str:
    """The CPU's model name (``/proc/cpuinfo``), to label the figures."""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


def table(levels: list[Level]) -> str:
    """The results as a markdown table (seconds)."""

    def f(x: float | None) -> str:
        return "n/a" if x is None else f"{x:.2f}"

    rows = [
        "| trainees | replies | TTFT p50 (s) | TTFT p95 (s) | full reply p50 (s) "
        "| full reply p95 (s) | errors |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for lv in levels:
        rows.append(
            f"| {lv.n} | {len(lv.ttft)} | {f(percentile(lv.ttft, 0.5))} | "
            f"{f(percentile(lv.ttft, 0.95))} | {f(percentile(lv.full, 0.5))} | "
            f"{f(percentile(lv.full, 0.95))} | {lv.errors} |"
        )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    """Parse options, run every level, print the table."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--url", help="an app already running (else one is started)")
    p.add_argument("--levels", default="1,5,20", help="trainee counts (default 1,5,20)")
    p.add_argument("--turns", type=int, default=3, help="lines per trainee (default 3)")
    p.add_argument("--backend", default=None, help="local (default), openai, scripted, ...")
    p.add_argument("--model", default=None)
    p.add_argument("--base-url", default=None)
    p.add_argument("--no-model", action="store_true", help="scripted lines only")
    p.add_argument(
        "--strategy", default=None, help="authored, continuation or chat (default: the backend's)"
    )
    p.add_argument("--personas", default=None, help="personas folder")
    p.add_argument("--concurrency", type=int, default=None, help="override the queue limit")
    p.add_argument("--startup-timeout", type=float, default=600)
    args = p.parse_args(argv)
    levels = [int(x) for x in args.levels.split(",") if x.strip()]
    load_before = os.getloadavg()
    proc = None
    with tempfile.TemporaryDirectory(prefix="frontline-bench-") as tmp:
        try:
            url = args.url
            if url is None:
                proc, url = start_app(args, Path(tmp) / "bench.sqlite3")
            run_level(url, 1, 1)  # warm-up: the first reply loads what is lazy
            results = []
            for n in levels:
                results.append(run_level(url, n, args.turns))
                print(f"N={n}: {results[-1].wall:.1f}s", file=sys.stderr, flush=True)
        finally:
            if proc is not None:
                proc.terminate()
                proc.wait(timeout=30)
    backend = "scripted" if args.no_model else (args.backend or "local (bundled SmolLM2-135M)")
    strategy = args.strategy or "the backend's default"
    print(
        f"backend: {backend}; strategy: {strategy}; {args.turns} lines per trainee\n"
        f"cpu: {cpu_name()} x {os.cpu_count()}; load average (1 min) {load_before[0]:.1f} "
        f"before, {os.getloadavg()[0]:.1f} after\n"
    )
    print(table(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
