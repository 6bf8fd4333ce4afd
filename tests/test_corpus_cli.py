"""The command line: python -m bridges corpus, its registry, and clean errors for bad input."""

import subprocess
import sys
from pathlib import Path

import pytest

import bridges
from bridges import cli as _cli

REPO = Path(__file__).resolve().parents[1]


def test_corpus_command_writes_a_corpus(tmp_path, capsys):
    out = tmp_path / "c"
    assert _cli.main(["corpus", "--world", "tiny", "--out", str(out), "--seed", "3", "--n-subjects", "6",
                      "--shuffles", "2", "--eps", "0.1"]) == 0
    printed = capsys.readouterr().out
    assert "mention" in printed and "held out" in printed
    meta = bridges.load_metadata(out)
    assert (meta["world"], meta["seed"], meta["eps"], len(meta["subjects"])) == ("tiny", 3, 0.1, 6)
    assert meta["corpus"]["shuffles"] == 2 and meta["world_options"]["n_subjects"] == 6


def test_corpus_command_with_a_user_graph_file(tmp_path, capsys):
    out = tmp_path / "c"
    assert _cli.main(["corpus", "--world", str(REPO / "examples" / "my_graph.py"), "--out", str(out),
                      "--n-subjects", "10", "--quiet"]) == 0
    assert capsys.readouterr().out == ""
    meta = bridges.load_metadata(out)
    assert meta["world"].endswith("my_graph.py")
    assert {r["name"] for r in meta["graph"]["relations"]} == {"country of citizenship", "genre", "instrument",
                                                                "record label"}


@pytest.mark.parametrize("argv,message", [
    (["--world", "atlantis"], "unknown world 'atlantis'"),
    (["--eps", "1.0"], r"eps must be a number in [0, 1)"),
    (["--eps", "-0.2"], r"eps must be a number in [0, 1)"),
    (["--world", "no/such/graph.py"], "not found"),
    (["--shuffles", "0"], "shuffles must be a positive integer"),
])
def test_bad_input_exits_2_with_a_message(tmp_path, capsys, argv, message):
    out = tmp_path / "c"
    assert _cli.main(["corpus", "--out", str(out), "--quiet", *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not out.exists()  # nothing partial left behind


def test_registry_rejects_duplicates_and_bad_names():
    with pytest.raises(ValueError, match="already registered"):
        _cli.register_command("corpus", help="x", add_arguments=lambda p: None, run=lambda a: 0)
    with pytest.raises(ValueError, match="lower-case"):
        _cli.register_command("Train Now", help="x", add_arguments=lambda p: None, run=lambda a: 0)


def test_a_new_stage_is_one_registration(capsys):
    def add(parser):
        parser.add_argument("--steps", type=int, default=1)

    _cli.register_command("test-stage", help="a stage added by another module", add_arguments=add,
                          run=lambda args: print(f"ran {args.steps}"))
    try:
        assert _cli.main(["test-stage", "--steps", "4"]) == 0
        assert capsys.readouterr().out == "ran 4\n"
    finally:
        del _cli.COMMANDS["test-stage"]


def test_python_dash_m_entry_point(tmp_path):
    help_run = subprocess.run([sys.executable, "-m", "bridges", "--help"], capture_output=True, text=True, cwd=REPO)
    assert help_run.returncode == 0 and "corpus" in help_run.stdout
    argv = [sys.executable, "-m", "bridges", "corpus", "--world", "nope", "--out", str(tmp_path / "x")]
    bad = subprocess.run(argv, capture_output=True, text=True, cwd=REPO)
    assert bad.returncode == 2
    assert "unknown world 'nope'" in bad.stderr and "Traceback" not in bad.stderr
