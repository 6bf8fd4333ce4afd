"""Every example script runs with tiny arguments (as NumPyro's test_examples.py does)."""

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.mark.parametrize("script, args", [
    ("define_graph.py", ["--tiny"]),
    ("custom_rule.py", ["--tiny"]),
    ("paper_replication.py", ["--tiny"]),
    ("rational_edit.py", ["--tiny"]),
    ("jeffrey.py", ["--world", "tiny", "--edits", "2"]),
    ("my_graph.py", ["--n-subjects", "10"]),
])
def test_example_runs(script, args, tmp_path):
    where = ["--run", str(tmp_path / "run")] if "--tiny" in args else []
    if script == "my_graph.py":
        where = ["--out", str(tmp_path / "corpus")]
    proc = subprocess.run([sys.executable, str(EXAMPLES / script), *args, *where], capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    if script == "jeffrey.py":
        assert "Bayesian conditioning in both orders gives the same posterior: True" in proc.stdout
    if script == "rational_edit.py":
        assert "rational method" in proc.stdout and "new top answer" in proc.stdout
    elif "--tiny" in args:
        assert (tmp_path / "run" / "results.json").exists()
