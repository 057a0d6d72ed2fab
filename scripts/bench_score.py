"""Benchmark batch QA scoring against raw MiniLM encoding of the same sentences.

    python scripts/bench_score.py                 # 10,000 calls: num_proc 1 and 2, raw reference
    python scripts/bench_score.py --n 1000        # smaller
    python scripts/bench_score.py --rss-n 100000  # peak RSS while streaming 100k calls (< 2 GB)

Calls of about 20 turns are generated from the persona YAML files in ``personas/`` (openings,
beat lines, fallback lines, facts) and a pool of good and poor agent sentences filled with
names, order ids and amounts, so that not every sentence repeats. Each configuration runs in
a fresh process (``--child``) so that its time includes loading the model and its peak RSS
(``ru_maxrss`` of the process and of its own workers) is its own. The raw reference encodes
every sentence of every turn with the same MiniLM forward pass and no cache or de-duplication
(model load excluded). Prints a markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

LINES = yaml.safe_load((Path(__file__).with_name("bench_score_lines.yaml")).read_text("utf-8"))


def load_personas(folder: Path) -> list[dict]:
    """Lines a generated customer says, from the persona YAML files (or a built-in list)."""
    out = []
    for path in sorted(folder.glob("*.yaml")):
        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError):
            continue
        if not isinstance(doc, dict) or "opening" not in doc:
            continue
        beats = [s for b in doc.get("beats") or [] for s in _listify(b.get("say"))]
        lines = [s for band in (doc.get("lines") or {}).values() for s in _listify(band)]
        facts = [
            str(v.get("value") if isinstance(v, dict) else v)
            for v in (doc.get("facts") or {}).values()
        ]
        out.append(
            {
                "company": str(doc.get("company", "Northwind Broadband")),
                "opening": str(doc["opening"]),
                "say": beats or ["I see."],
                "lines": lines or ["OK."],
                "facts": facts or ["NB-20417"],
            }
        )
    return out or LINES["fallback_personas"]


def _listify(value: object) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)] if value else []


def generate(n: int, personas: list[dict], seed: int = 7) -> Iterator[dict]:
    """``n`` calls of 16 to 24 turns, customer first, agent quality varying per call."""
    rng = random.Random(seed)
    for i in range(n):
        p = rng.choice(personas)
        fill = {
            "company": p["company"],
            "agent": rng.choice(LINES["agents"]),
            "customer": rng.choice(LINES["customers"]),
            "order": f"{rng.choice('NRVK')}{rng.choice('BWMT')}-{rng.randint(10000, 99999)}",
            "amount": f"£{rng.randint(5, 250)}.{rng.randint(0, 99):02d}",
            "day": rng.choice(LINES["days"]),
            "time": f"{rng.randint(9, 17)}:{rng.choice(['00', '15', '30', '45'])}",
            "time2": f"{rng.randint(9, 17)}:{rng.choice(['00', '15', '30', '45'])}",
            "date": f"{rng.randint(1, 28)} {rng.choice(LINES['months'])}",
            "month": rng.choice(LINES["months"]),
            "year": rng.randint(2025, 2028),
            "years": rng.randint(2, 15),
            "minutes": rng.randint(5, 90),
            "calls": rng.randint(2, 6),
            "product": rng.choice(LINES["products"]),
            "agent2": rng.choice(LINES["agents"]),
            "fact": rng.choice(p["facts"]),
        }
        quality = rng.random()
        agent_turns = rng.randint(8, 12)
        turns = [{"speaker": "customer", "text": p["opening"]}]
        stages = LINES["stages"]
        for k in range(agent_turns):
            stage = stages[min(k * len(stages) // agent_turns, len(stages) - 1)]
            pool = stage["good"] if rng.random() < quality else stage["poor"]
            said = [rng.choice(pool)]
            if rng.random() < 0.4:
                said.insert(0, rng.choice(LINES["fillers"]))
            if rng.random() < 0.3:
                said.append(rng.choice(pool))
            if rng.random() < 0.3:
                said.append(rng.choice(LINES["agent_details"]))
            turns.append({"speaker": "agent", "text": " ".join(said).format(**fill)})
            if k < agent_turns - 1:
                source = rng.choice([p["say"], p["lines"], LINES["generic_customer"]])
                said = [rng.choice(source)]
                if rng.random() < 0.6:
                    said.append(rng.choice(LINES["customer_details"]))
                text = " ".join(said).format(**fill)
                turns.append({"speaker": "customer", "text": text})
        yield {"id": f"bench-{i:06d}", "turns": turns}


def write_calls(path: Path, n: int, count_unique: bool) -> dict[str, int]:
    """Write ``n`` generated calls to JSONL; returns turn and sentence counts."""
    from trainer.scoring.sentences import split_sentences

    stats = {"calls": 0, "turns": 0, "sentences": 0}
    unique: set[str] = set()
    with open(path, "w", encoding="utf-8") as f:
        for call in generate(n, load_personas(ROOT / "personas")):
            f.write(json.dumps(call) + "\n")
            stats["calls"] += 1
            for turn in call["turns"]:
                sentences = split_sentences(turn["text"])
                stats["turns"] += 1
                stats["sentences"] += len(sentences)
                if count_unique:
                    unique.update(sentences)
    stats["unique_sentences"] = len(unique) if count_unique else -1
    return stats


def _cpu() -> float:
    """CPU seconds (user + system) of this process and its waited-for children."""
    me, kids = (resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def child(config: dict) -> dict:
    """Run one configuration in this (fresh) process; returns timings and peak RSS."""
    if config["mode"] == "raw":
        from trainer.scoring.embeddings import Embedder
        from trainer.scoring.sentences import split_sentences

        with open(config["path"], encoding="utf-8") as f:
            turns = (t["text"] for line in f for t in json.loads(line)["turns"])
            texts = [s for text in turns for s in split_sentences(text)]
        texts = texts[: config.get("limit") or None]
        embedder = Embedder(cache_size=0)
        embedder.warm_up()
        start, cpu = time.perf_counter(), _cpu()
        for i in range(0, len(texts), 4096):  # the forward pass itself: no cache, no de-dup
            embedder._forward(texts[i : i + 4096])
        result = {"elapsed": time.perf_counter() - start, "sentences": len(texts)}
    else:
        from trainer.scoring.batch import score_batch

        cpu = _cpu()
        summary = score_batch(
            [config["path"]],
            rubric=config.get("rubric"),
            out_dir=config["out"],
            formats=("csv", "jsonl"),
            num_proc=config["num_proc"],
            progress=config.get("progress", False),
        )
        result = {"elapsed": summary.elapsed_s, "n_in": summary.n_in, "errors": summary.n_errored}
    result["cpu"] = _cpu() - cpu
    result["rss_self_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result["rss_children_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return result


def run_child(config: dict, trace: Path | None = None) -> dict:
    """Run ``child(config)`` in a fresh process; ``trace`` logs its RSS against rows written."""
    cmd = [sys.executable, __file__, "--child", json.dumps(config)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    while trace is not None and proc.poll() is None:
        time.sleep(15)
        try:
            rss = _tree_rss_kb(proc.pid)
            with open(trace.parent / "scores.csv", "rb") as f:
                rows = sum(block.count(b"\n") for block in iter(lambda: f.read(1 << 20), b"")) - 1
        except (OSError, StopIteration):
            continue
        print(f"rows {rows:>7}  RSS {rss / 1024:7.0f} MB", file=sys.stderr)
        with open(trace, "a") as f:
            f.write(f"{rows}\t{rss / 1024:.0f}\n")
    out, _ = proc.communicate()
    if proc.returncode:
        raise SystemExit(f"benchmark child failed ({proc.returncode}): {config}")
    return json.loads(out.strip().splitlines()[-1])


def _tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and its children (the scoring workers), in KB."""
    kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    total = 0
    for p in [pid, *map(int, kids)]:
        status = Path(f"/proc/{p}/status").read_text()
        total += int(next(ln for ln in status.splitlines() if ln.startswith("VmRSS")).split()[1])
    return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10_000, help="calls to generate (10,000)")
    parser.add_argument(
        "--num-proc", default="1,2", help="configurations to time (1,2); --rss-n uses the first"
    )
    parser.add_argument(
        "--raw-limit", type=int, default=20_000, help="sentences encoded raw (20,000; 0: all)"
    )
    parser.add_argument("--rubric", help="rubric YAML (default: the bundled rubric)")
    parser.add_argument("--rss-n", type=int, default=0, help="only: peak RSS streaming N calls")
    parser.add_argument("--keep", type=Path, help="keep the generated JSONL and outputs here")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(json.loads(args.child))))
        return 0
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench_score_"))
    work.mkdir(parents=True, exist_ok=True)
    n = args.rss_n or args.n
    calls = work / f"calls-{n}.jsonl"
    started = time.perf_counter()
    stats = write_calls(calls, n, count_unique=not args.rss_n)
    print(f"generated {stats} in {time.perf_counter() - started:.1f} s -> {calls}", file=sys.stderr)
    rows = [
        "| run | calls | sentences | wall s | CPU s | calls/s | sentences/s | sentences/CPU-s"
        " | vs raw (wall) | vs raw (CPU) | peak RSS MB |",
        "|" + "---|" * 11,
    ]
    base = {"path": str(calls), "rubric": args.rubric, "mode": "score", "progress": True}
    if args.rss_n:
        out = work / "rss"
        out.mkdir(exist_ok=True)
        (out / "rss_trace.tsv").unlink(missing_ok=True)
        num_proc = int(args.num_proc.split(",")[0])
        config = {**base, "out": str(out), "num_proc": num_proc}
        res = run_child(config, trace=out / "rss_trace.tsv")
        peak = res["rss_self_mb"] + res["rss_children_mb"] * num_proc
        label = f"score, num_proc {num_proc}"
        rows.append(_row(label, res["n_in"], stats["sentences"], res, None, peak))
        print("\n".join(rows))
        verdict = "PASS" if peak < 2048 else "FAIL"
        print(
            f"\npeak RSS {peak:.0f} MB for {n} calls: {verdict} (limit 2048 MB);"
            f" RSS against rows written: {out / 'rss_trace.tsv'}"
        )
        return 0 if verdict == "PASS" else 1
    raw = run_child({"mode": "raw", "path": str(calls), "limit": args.raw_limit})
    for num_proc in [int(x) for x in args.num_proc.split(",")]:
        res = run_child({**base, "out": str(work / f"np{num_proc}"), "num_proc": num_proc})
        peak = res["rss_self_mb"] + res["rss_children_mb"] * num_proc
        label = f"score, num_proc {num_proc}"
        rows.append(_row(label, res["n_in"], stats["sentences"], res, raw, peak))
    rows.append(_row("raw MiniLM encode", None, raw["sentences"], raw, None, raw["rss_self_mb"]))
    print("\n".join(rows))
    unique = stats["unique_sentences"]
    print(
        f"\n{stats['turns']} turns, {stats['sentences']} sentences ({unique} distinct);"
        f" {os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.1f} at the end."
        " Scoring includes loading the model; raw excludes it and encodes the first"
        f" {raw['sentences']} sentences. Peak RSS with num_proc 2: parent + 2 x largest worker."
    )
    return 0


def _row(
    label: str, calls: int | None, sentences: int, res: dict, raw: dict | None, peak: float
) -> str:
    secs, cpu = res["elapsed"], res["cpu"]
    rate, cpu_rate = sentences / secs, sentences / cpu
    ratios = ["-", "-"]
    if raw:
        ratios = [
            f"{100 * rate / (raw['sentences'] / raw['elapsed']):.0f} %",
            f"{100 * cpu_rate / (raw['sentences'] / raw['cpu']):.0f} %",
        ]
    per_call = f"{calls / secs:.1f}" if calls else "-"
    shown = calls if calls is not None else "-"
    cells = [label, shown, sentences, f"{secs:.1f}", f"{cpu:.1f}", per_call, f"{rate:.0f}"]
    cells += [f"{cpu_rate:.0f}", *ratios, f"{peak:.0f}"]
    return "| " + " | ".join(str(c) for c in cells) + " |"


if __name__ == "__main__":
    raise SystemExit(main())
