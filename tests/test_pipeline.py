"""The end-to-end pipeline on the tiny world with a micro LM: stages, caching, resume, determinism,
sharded evaluation under torchrun, and bad input."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bridges import _pipeline
from bridges._believers import BayesBeliever, EditRequest
from bridges._pipeline import PipelineError, RunConfig

TINY = {
    "world": {"name": "tiny", "n_subjects": 24},
    "corpus": {"shuffles": 2},
    "train": {"epochs": 3, "progress": False, "eval_facts": 50, "compile": False,
              "model": {"d_model": 32, "n_layers": 1, "n_heads": 2, "d_ff": 64}},
    "edit": {"lora": {"steps": 4}, "ft": {"steps": 4}},
    "evaluate": {"n_requests": 4, "methods": ["lora", "context"], "rules": ["bayes", "jeffrey"],
                 "other_subjects": 2},
    "report": {"trace_requests": 1, "trace_points": 3},
}


def _config() -> RunConfig:
    return RunConfig().merged(TINY, "test")


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory):
    run = tmp_path_factory.mktemp("run")
    _pipeline.run_pipeline(run, _config(), quiet=True)
    return run


def test_run_writes_results_table_and_plots(finished_run):
    results = json.loads((finished_run / "results.json").read_text())
    summary = results["summary"]
    assert summary["counts"]["all"] == 4 and len(results["records"]) == 4
    assert summary["rational_max_violation"] < 1e-9  # the rational agent is coherent, exactly (float64 sums)
    assert summary["rational_max_distance"] < 1e-6  # an LP: HiGHS's feasibility tolerance is 1e-7
    for g in summary["groups"].values():
        for m in ("lora", "context"):
            block = g["lm"][m]["p_requested"]
            assert {"pre", "post", "delta"} <= set(block)
    bayes = summary["groups"]["all"]["bayes"]["bayes"]["p_requested"]["post"]
    assert bayes["mean"] == pytest.approx(1.0)  # conditioning on the request makes it certain
    for name in ("table.txt", "edit_steps.png", "lm_vs_rational.png", "coherence.png"):
        assert (finished_run / "report" / name).stat().st_size > 0
    assert "Edit benchmark: 4 edit requests" in (finished_run / "report" / "table.txt").read_text()


def test_up_to_date_stages_are_skipped(finished_run, capsys):
    before = (finished_run / "results.json").stat().st_mtime_ns
    for stage in _pipeline.STAGES:
        assert not _pipeline.run_stage(stage, finished_run, _config(), quiet=True)
    assert (finished_run / "results.json").stat().st_mtime_ns == before
    changed = RunConfig().merged({**TINY, "report": {"trace_requests": 1, "trace_points": 3, "plots": False}}, "t")
    assert _pipeline.run_stage("report", finished_run, changed, quiet=True)  # its settings changed


def test_same_seed_same_results(finished_run, tmp_path):
    _pipeline.run_pipeline(tmp_path, _config(), quiet=True)
    assert (tmp_path / "results.json").read_bytes() == (finished_run / "results.json").read_bytes()


def _fresh_evaluate(finished_run, tmp_path) -> Path:
    run = tmp_path / "run"
    shutil.copytree(finished_run, run)
    shutil.rmtree(run / "evaluate")
    (run / "results.json").unlink()
    return run


def test_interrupted_evaluation_resumes_to_identical_numbers(finished_run, tmp_path, monkeypatch):
    from bridges import _evaluate

    run = _fresh_evaluate(finished_run, tmp_path)
    real = _evaluate.evaluate_requests
    calls = []

    def interrupt_after_two(*args, **kwargs):
        if len(calls) == 2:
            raise KeyboardInterrupt
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(_evaluate, "evaluate_requests", interrupt_after_two)
    with pytest.raises(KeyboardInterrupt):
        _pipeline.run_stage("evaluate", run, _config(), quiet=True)
    assert len((run / "evaluate" / "records.jsonl").read_text().splitlines()) == 2
    monkeypatch.setattr(_evaluate, "evaluate_requests", real)
    _pipeline.run_pipeline(run, _config(), quiet=True)
    assert (run / "results.json").read_bytes() == (finished_run / "results.json").read_bytes()


def test_torchrun_sharded_evaluation_matches_one_process(finished_run, tmp_path):
    run = _fresh_evaluate(finished_run, tmp_path)
    config = tmp_path / "run.toml"
    config.write_text(_pipeline.config_to_toml(TINY))
    torchrun = Path(sys.executable).with_name("torchrun")
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    subprocess.run([str(torchrun), "--standalone", "--nproc_per_node", "2", "-m", "bridges", "evaluate",
                    "--dir", str(run), "--config", str(config), "--quiet"], check=True, env=env, timeout=600)
    one = json.loads((finished_run / "results.json").read_text())
    two = json.loads((run / "evaluate" / "results.json").read_text())
    assert two["requests"] == one["requests"]
    assert two["records"] == one["records"]
    assert two["summary"] == one["summary"]


@pytest.mark.parametrize("text, match", [
    ("[world]\nnmae = 'tiny'\n", r"unknown key 'nmae' in \[world\]"),
    ("[wrold]\nname = 'tiny'\n", r"unknown section \[wrold\]"),
    ("[edit.lora]\nrnak = 2\n", r"unknown key 'rnak' in \[edit.lora\]"),
    ("[train.model]\nwidth = 2\n", r"unknown key 'width' in \[train.model\]"),
    ("[world\n", "not valid TOML"),
])
def test_bad_configs_name_the_key(tmp_path, text, match):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(PipelineError, match=match):
        _pipeline.load_config(path)


def test_incompatible_run_directory(tmp_path):
    (tmp_path / "run.json").write_text(json.dumps({"format": 999}))
    with pytest.raises(PipelineError, match="incompatible version"):
        _pipeline.run_stage("world", tmp_path, _config(), quiet=True)


def test_stage_before_its_input(tmp_path):
    with pytest.raises(PipelineError, match="needs stage 'train'"):
        _pipeline.run_stage("edit", tmp_path, _config(), quiet=True)


def test_edit_request_for_an_unknown_subject(finished_run):
    import rational

    from bridges import evidence_from_corpus

    agent = BayesBeliever(rational.fit(evidence_from_corpus(finished_run / "corpus")), "bayes")
    with pytest.raises(rational.EvidenceError, match="unknown subject 'Nobody Atall'"):
        agent.edit(EditRequest("Nobody Atall", "continent", "Asia"))


def test_cli_reports_bad_input_without_traceback(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[evaluate]\nn_request = 3\n")
    proc = subprocess.run([sys.executable, "-m", "bridges", "run", "--run", str(tmp_path / "r"), "--config",
                           str(bad)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "unknown key 'n_request' in [evaluate]" in proc.stderr and "Traceback" not in proc.stderr
