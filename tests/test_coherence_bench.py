"""Smoke test of the coherence benchmark script with tiny arguments."""

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_coherence.py"


def load_script():
    spec = importlib.util.spec_from_file_location("bench_coherence", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_benchmark_runs_on_a_tiny_world(capsys):
    figures = load_script().main(["--sentences", "60", "--subjects", "12", "--min-objects", "3", "--max-objects", "5"])
    out = capsys.readouterr().out
    assert "check_axioms" in out and "round trip" in out
    assert figures["sentences"] == 60
    # The benchmark's agent is exact: every axiom holds up to round-off (see test_coherence_invariants).
    assert figures["max_violation"] < 1e-9
