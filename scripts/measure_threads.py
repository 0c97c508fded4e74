"""Reading and writing speed of the default model per thread choice, idle and with a CPU
hog on one core (issue 13, a busy CPU).

For each round and each condition (idle, hog), one child process per OpenMP wait policy
(the wheel's llama.cpp waits at its barriers with OpenMP; OMP_WAIT_POLICY is read when
the library loads, hence a fresh process) loads the model once and measures, in a
rotating order, threads = 1, 2 and the engine's adaptive choice (engine.threads, looked at
right then): a prompt read from an empty context (tokens/s) and single tokens written one
after another (tokens/s). Speeds are compared as ratios within one child, so a machine
busy with other work still gives comparable figures; every round is printed, and the
spread over rounds is the honest error bar.

    .venv/bin/python scripts/measure_threads.py [--rounds 3] [--prompt 160] [--write 24]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TEXT = (
    "Admitted with community-acquired pneumonia of the right lower lobe. Started on ceftriaxone "
    "and azithromycin; oxygen by nasal cannula at two litres. Creatinine 1.4 on admission, 1.1 at "
    "discharge. Afebrile from day three, walking on the ward, eating well. "
)


def child(threads: list[str], prompt: int, write: int) -> dict:
    """In a fresh process: one model, each thread choice measured on the same context."""
    from llama_cpp import Llama

    from emrwriter.engine.llama_engine import physical_cores
    from emrwriter.engine.models import default_model_path
    from emrwriter.engine.threads import LoadMeter, choose_threads, waits_spin

    llm = Llama(model_path=str(default_model_path()), n_ctx=512, n_batch=512, n_threads=1, verbose=False)
    tokens = llm.tokenize((TEXT * 20).encode())[:prompt]
    meter = LoadMeter(physical_cores())
    found = {}
    for name in threads:
        load = meter.measure() if name == "adaptive" else None  # the load since the last look
        n = choose_threads(load, spinning=waits_spin()) if load else int(name)
        llm._ctx.set_n_threads(n, n)
        llm.reset()
        started = time.perf_counter()
        llm.eval(tokens)
        read = len(tokens) / (time.perf_counter() - started)
        started = time.perf_counter()
        for token in tokens[:write]:  # one token per step: the speed of writing
            llm.eval([token])
        written = write / (time.perf_counter() - started)
        found[name] = {"threads": n, "read": read, "write": written}
        if load is not None:
            found[name]["others"] = round(load.others, 2)
    return found


def run_child(order: list[str], policy: str | None, args) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT")}
    env["OMP_WAIT_POLICY"] = "ACTIVE_DEFAULT"  # invalid: libgomp warns and spins as by default
    if policy:
        name, _, value = policy.rpartition("=")
        env[name or "OMP_WAIT_POLICY"] = value
    cmd = [sys.executable, __file__, "--child", ",".join(order), "--prompt", str(args.prompt), "--write", str(args.write)]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True, timeout=900)
    return json.loads(out.stdout.strip().splitlines()[-1])


def summarize(rows: list[dict]) -> None:
    choices = ["1", "2", "adaptive"]
    policies = list(dict.fromkeys(r["policy"] for r in rows))
    print("\nratios to the best fixed choice (1 or 2 threads) of the same run; median [min-max] over rounds")
    for condition in ("idle", "hog"):
        for policy in policies:
            mine = [r for r in rows if r["condition"] == condition and r["policy"] == policy]
            for kind in ("read", "write"):
                parts = []
                for name in choices:
                    ratios = [r[name][kind] / max(r["1"][kind], r["2"][kind]) for r in mine]
                    parts.append(f"{name}: {statistics.median(ratios):.2f} [{min(ratios):.2f}-{max(ratios):.2f}]")
                speeds = [f"{r['1'][kind]:.0f}/{r['2'][kind]:.0f}/{r['adaptive'][kind]:.0f}" for r in mine]
                chosen = [r["adaptive"]["threads"] for r in mine]
                print(
                    f"{condition:4} {policy:20} {kind:5}  "
                    + "  ".join(parts)
                    + f"  (tok/s 1/2/adaptive: {', '.join(speeds)}; adaptive chose {chosen})"
                )
    if {"default", "PASSIVE"} <= set(policies):
        print("\nthe engine's default now (PASSIVE waits, its choice) / before (spinning waits, 2 threads),")
        print("children of the same round and condition (separate processes, so noisier); median [min-max]")
        for condition in ("idle", "hog"):
            for kind in ("read", "write"):
                ratios = []
                for r in {row["round"] for row in rows}:
                    pair = {row["policy"]: row for row in rows if row["round"] == r and row["condition"] == condition}
                    if "default" in pair and "PASSIVE" in pair:
                        ratios.append(pair["PASSIVE"]["adaptive"][kind] / pair["default"]["2"][kind])
                if ratios:
                    print(f"{condition:4} {kind:5}  {statistics.median(ratios):.1f}x [{min(ratios):.1f}-{max(ratios):.1f}x]")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--prompt", type=int, default=160)
    parser.add_argument("--write", type=int, default=24)
    parser.add_argument(
        "--policies", default="default,PASSIVE,GOMP_SPINCOUNT=10000", help="OMP_WAIT_POLICY values (or VAR=value) to compare"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--summarize", type=Path, help="only summarise the rows printed by an earlier run")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child.split(","), args.prompt, args.write)))
        return
    if args.summarize:
        lines = args.summarize.read_text(encoding="utf-8").splitlines()
        summarize([json.loads(line) for line in lines if line.startswith("{")])
        return

    from tests.cpu_hog import cpu_hog

    choices = ["1", "2", "adaptive"]
    policies = [None if p == "default" else p for p in args.policies.split(",")]
    cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else [0]
    rows = []
    print(f"load average at start: {os.getloadavg()}, CPUs {cpus}", flush=True)
    for r in range(args.rounds):
        order = choices[r % 3 :] + choices[: r % 3]  # each choice first in turn
        for condition in ("idle", "hog"):
            for policy in policies:
                if condition == "hog":
                    with cpu_hog(600, cpu=cpus[0]):
                        time.sleep(0.5)
                        found = run_child(order, policy, args)
                else:
                    found = run_child(order, policy, args)
                row = {"round": r, "condition": condition, "policy": policy or "default", "load1": os.getloadavg()[0], **found}
                rows.append(row)
                print(json.dumps(row), flush=True)

    summarize(rows)


if __name__ == "__main__":
    main()
