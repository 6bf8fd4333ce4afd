"""Edits evaluated per second for the whole evaluate stage (edit, score the four cases, coherence checks),
one process against two (torchrun, requests sharded) in the same run, on the same requests.

    python benchmarks/bench_evaluate.py                    # reuses runs/default (the main command's run)
    python benchmarks/bench_evaluate.py --run /tmp/b --world tiny --requests 8

Stages up to ``edit`` are run first if the run directory lacks them (training included).
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bridges import _pipeline


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--run", default="runs/default", help="run directory to reuse (default: %(default)s)")
    ap.add_argument("--config", default=None, help="TOML run config (as for python -m bridges run)")
    ap.add_argument("--world", default=None, help="world override")
    ap.add_argument("--requests", type=int, default=None, help="number of edit requests (override)")
    args = ap.parse_args(argv)

    sections = {}
    if args.world:
        sections["world"] = {"name": args.world}
    if args.requests:
        sections["evaluate"] = {"n_requests": args.requests}
    cfg = _pipeline.load_config(args.config).merged(sections, "command line")
    run = Path(args.run)
    for stage in ("world", "corpus", "train", "edit"):
        _pipeline.run_stage(stage, run, cfg, quiet=True)
    n = len(json.loads((run / "edit" / "requests.json").read_text())["requests"])
    cfg_file = Path(tempfile.mkdtemp()) / "run.toml"
    cfg_file.write_text(_pipeline.config_to_toml(cfg.sections))

    timings = {}
    for procs in (1, 2):
        work = Path(tempfile.mkdtemp()) / "run"
        shutil.copytree(run, work, ignore=shutil.ignore_patterns("evaluate", "report", "results.json"))
        if procs == 1:
            cmd = [sys.executable, "-m", "bridges", "evaluate", "--dir", str(work), "--config", str(cfg_file), "--quiet"]
        else:
            cmd = [str(Path(sys.executable).with_name("torchrun")), "--standalone", "--nproc_per_node", "2",
                   "-m", "bridges", "evaluate", "--dir", str(work), "--config", str(cfg_file), "--quiet"]
        t = time.perf_counter()
        # one thread per process for torch and XLA alike, in both runs
        env = {**os.environ, "OMP_NUM_THREADS": "1",
               "XLA_FLAGS": "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"}
        subprocess.run(cmd, check=True, env=env)
        timings[procs] = time.perf_counter() - t
        ranks = [json.loads(p.read_text()) for p in sorted((work / "evaluate").glob("timing.rank*.json"))]
        timings[f"loop{procs}"] = max(r["loop_s"] for r in ranks)
        timings[f"startup{procs}"] = max(r["startup_s"] for r in ranks)
        results = json.loads((work / "evaluate" / "results.json").read_text())
        timings[f"records{procs}"] = results["records"]
        shutil.rmtree(work.parent, ignore_errors=True)
    same = timings["records1"] == timings["records2"]
    print(f"evaluate stage, {n} edit requests x methods {cfg['evaluate']['methods']} x rules {cfg['evaluate']['rules']}"
          f" (process start-up and model loading included):")
    for procs in (1, 2):
        print(f"  {procs} process(es): whole stage {timings[procs]:.1f} s = {n / timings[procs]:.2f} edit requests/s; "
              f"start-up (imports, fit, model) {timings[f'startup{procs}']:.1f} s; requests alone "
              f"{timings[f'loop{procs}']:.1f} s = {n / timings[f'loop{procs}']:.2f} edit requests/s")
    print(f"  speed-up with 2 processes: whole stage {timings[1] / timings[2]:.2f}x, requests alone "
          f"{timings['loop1'] / timings['loop2']:.2f}x; identical records: {same}")


if __name__ == "__main__":
    main()
