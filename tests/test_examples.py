"""Every example script runs with tiny arguments (as NumPyro's test_examples.py does)."""

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.mark.parametrize("script, args", [
    ("define_graph.py", ["--tiny"]),
    ("custom_rule.py", ["--tiny"]),
    ("custom_edit.py", ["--tiny"]),
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


def test_a_users_edit_method_runs_from_the_command_line_in_every_process(tmp_path):
    """examples/custom_edit.py registers `down_ft`; `--import` loads it in this process and in the evaluate
    stage's helper process (workers = 2, two chunks), and the table has its row."""
    config = tmp_path / "tiny.toml"
    config.write_text("""
[world]
name = "tiny"
n_subjects = 20
[corpus]
shuffles = 1
[train]
epochs = 1
compile = false
progress = false
[train.model]
d_model = 32
n_layers = 1
n_heads = 2
d_ff = 64
[edit.down_ft]
steps = 2
[evaluate]
n_requests = 4
chunk = 2
workers = 2
methods = ["down_ft"]
rules = ["bayes"]
[sequential]
n_edits = 0
[report]
trace_requests = 0
plots = false
""")
    proc = subprocess.run([sys.executable, "-m", "bridges", "run", "--import", "examples.custom_edit", "--config",
                           str(config), "--run", str(tmp_path / "run"), "--quiet"], capture_output=True, text=True,
                          timeout=600, cwd=EXAMPLES.parent)
    assert proc.returncode == 0, proc.stderr[-3000:]
    # the helper imported the method (it opens its records file after loading the user's code and the agents;
    # an import that failed there would have stopped the run); whether it also took a chunk is a race
    assert (tmp_path / "run" / "evaluate" / "records.worker1.jsonl").exists()
    assert "lm:down_ft" in (tmp_path / "run" / "report" / "table.txt").read_text()
