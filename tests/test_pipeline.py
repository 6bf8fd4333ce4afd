"""The end-to-end pipeline on the tiny world with a micro LM: stages as artefacts, caching, resume (counting
the work done after resuming), one fit per run, determinism, sharded evaluation under torchrun."""

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import bridges
from bridges import PipelineError, RunConfig, run_pipeline, run_stage
from micro_run import copy_run

TINY = {
    "world": {"name": "tiny", "n_subjects": 24},
    "corpus": {"shuffles": 2},
    "train": {"epochs": 3, "progress": False, "eval_facts": 50, "compile": False,
              "model": {"d_model": 32, "n_layers": 1, "n_heads": 2, "d_ff": 64}},
    "edit": {"lora": {"steps": 4}, "ft": {"steps": 4}},
    "evaluate": {"n_requests": 4, "methods": ["lora", "context"], "rules": ["bayes", "jeffrey"],
                 "other_subjects": 2, "chunk": 2, "threads": 1, "workers": 1},
    "sequential": {"n_edits": 4, "checkpoints": [1, 4], "methods": ["lora"], "batch_methods": ["lora"],
                   "other_facts": 20, "logic_people": 1},
    "report": {"trace_requests": 1, "trace_points": 3},
}


def _config(**sections) -> RunConfig:
    merged = json.loads(json.dumps(TINY))
    for name, values in sections.items():
        merged.setdefault(name, {}).update(values)
    return RunConfig().merged(merged, "test")


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory):
    run = tmp_path_factory.mktemp("run")
    run_pipeline(run, _config(), quiet=True)
    return run


def test_run_writes_results_table_and_plots(finished_run):
    results = json.loads((finished_run / "results.json").read_text())
    summary = results["summary"]
    assert summary["counts"]["all"] == 4 and len(results["records"]) == 4
    assert summary["rational_max_violation"] < 1e-9  # the rational agent is coherent, exactly (float64 sums)
    assert summary["rational_max_distance"] < 1e-6  # an LP: HiGHS's feasibility tolerance is 1e-7
    for g in summary["groups"].values():
        for m in ("lm:lora", "lm:context"):
            assert {"pre", "post", "delta"} <= set(g["agents"][m]["p_requested"])
    bayes = summary["groups"]["all"]["reference"]["bayes:bayes"]["p_requested"]["post"]
    assert bayes["mean"] == pytest.approx(1.0)  # conditioning on the request makes it certain
    for name in ("table.txt", "edit_steps.png", "lm_vs_rational.png", "coherence.png"):
        assert (finished_run / "report" / name).stat().st_size > 0
    assert "Edit benchmark: 4 edit requests" in (finished_run / "report" / "table.txt").read_text()
    json.loads((finished_run / "results.json").read_text(), parse_constant=lambda c: pytest.fail(f"JSON has {c}"))


def test_every_stage_writes_its_artefact(finished_run):
    for path in ("world/world.json", "corpus/corpus.jsonl", "corpus/metadata.json", "train/model/config.json",
                 "fit/posterior.json", "fit/posterior.npz", "requests/requests.json", "requests/beliefs.npz", "evaluate/results.json"):
        assert (finished_run / path).is_file(), path
    world = bridges.load_world(finished_run / "world" / "world.json")
    assert bridges.evidence_from_corpus(finished_run / "corpus").fingerprint() == world.evidence.fingerprint()


def test_up_to_date_stages_are_skipped(finished_run, tmp_path):
    before = (finished_run / "results.json").stat().st_mtime_ns
    for stage in bridges.STAGES:
        assert not run_stage(stage, finished_run, _config(), quiet=True)
    assert (finished_run / "results.json").stat().st_mtime_ns == before
    run = copy_run(finished_run, tmp_path)
    changed = _config(report={"plots": False})
    assert run_stage("report", run, changed, quiet=True)  # its settings changed


def test_same_seed_same_results(finished_run, tmp_path):
    run_pipeline(tmp_path, _config(), quiet=True)
    assert (tmp_path / "results.json").read_bytes() == (finished_run / "results.json").read_bytes()


def test_the_agent_is_fitted_once_per_run(tmp_path, monkeypatch):
    import rational

    fits = []
    real = rational.fit

    def counting(*args, **kwargs):
        fits.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(rational, "fit", counting)
    run_pipeline(tmp_path, _config(), quiet=True)
    assert len(fits) == 1  # the fit stage; edit, evaluate and report load RUN/fit
    run_pipeline(tmp_path, _config(), quiet=True)
    assert len(fits) == 1  # everything up to date


def test_interrupted_evaluation_resumes_and_does_only_the_rest(finished_run, tmp_path, monkeypatch):
    import importlib

    evaluate_module = importlib.import_module("bridges.bench.evaluate")

    run = copy_run(finished_run, tmp_path, drop=("evaluate", "results.json", "report"))
    real = evaluate_module.evaluate
    calls = []

    def interrupt_after_one_chunk(*args, **kwargs):
        if len(calls) == 1:
            raise KeyboardInterrupt
        calls.append(list(args[4]))
        return real(*args, **kwargs)

    monkeypatch.setattr(evaluate_module, "evaluate", interrupt_after_one_chunk)
    with pytest.raises(KeyboardInterrupt):
        run_stage("evaluate", run, _config(), quiet=True)
    assert len((run / "evaluate" / "records.jsonl").read_text().splitlines()) == 2  # the first chunk of two
    calls.clear()
    monkeypatch.setattr(evaluate_module, "evaluate", lambda *a, **k: (calls.append(list(a[4])), real(*a, **k))[1])
    run_pipeline(run, _config(), quiet=True)
    assert sorted(i for c in calls for i in c) == [2, 3]  # only the two unfinished requests were evaluated
    assert (run / "results.json").read_bytes() == (finished_run / "results.json").read_bytes()


def test_torchrun_sharded_evaluation_matches_one_process(finished_run, tmp_path):
    run = copy_run(finished_run, tmp_path, drop=("evaluate", "results.json", "report"))
    config = tmp_path / "run.toml"
    config.write_text(bridges.config_to_toml(TINY))
    torchrun = Path(sys.executable).with_name("torchrun")
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    subprocess.run([str(torchrun), "--standalone", "--nproc_per_node", "2", "-m", "bridges", "evaluate",
                    "--dir", str(run), "--config", str(config), "--quiet"], check=True, env=env, timeout=600)
    one = json.loads((finished_run / "results.json").read_text())
    two = json.loads((run / "evaluate" / "results.json").read_text())
    assert two["requests"] == one["requests"]
    assert two["records"] == one["records"]
    assert two["summary"] == one["summary"]
    ranks = [json.loads(p.read_text()) for p in sorted((run / "evaluate").glob("timing.rank*.json"))]
    assert sorted(r["requests"] for r in ranks) == [2, 2]  # the requests were split, not done twice


def test_worker_processes_give_the_records_of_one_process(finished_run, tmp_path):
    """[evaluate] workers = 2: a helper process takes chunks from the same queue (how many depends on how
    fast it starts); the records equal the one-process run's (same threads per process), and no chunk is
    done twice."""
    run = copy_run(finished_run, tmp_path, drop=("evaluate", "results.json", "report"))
    run_stage("evaluate", run, _config(evaluate={"workers": 2}), quiet=True)
    one = json.loads((finished_run / "results.json").read_text())
    two = json.loads((run / "results.json").read_text())
    assert two["records"] == one["records"] and two["summary"] == one["summary"]
    assert (run / "evaluate" / "records.worker1.jsonl").exists()  # the helper ran
    lines = [line for p in (run / "evaluate").glob("records*.jsonl") for line in p.read_text().splitlines()]
    assert sorted(json.loads(line)["record"]["index"] for line in lines) == [0, 1, 2, 3]


def test_a_changed_setting_reruns_what_depends_on_it(finished_run, tmp_path):
    run = copy_run(finished_run, tmp_path)
    changed = _config(evaluate={"other_subjects": 1})
    ran = [stage for stage in bridges.STAGES if run_stage(stage, run, changed, quiet=True)]
    assert ran == ["evaluate", "report"]  # the requests do not depend on other_subjects; the evaluation does


def test_a_changed_input_file_reruns_its_stage(finished_run, tmp_path):
    run = copy_run(finished_run, tmp_path)
    corpus = run / "corpus" / "corpus.jsonl"
    original = corpus.read_bytes()
    corpus.write_bytes(original.replace(b"<eod>", b"<eod> ", 1))  # someone edits the corpus inside the run
    ran = [stage for stage in bridges.STAGES if run_stage(stage, run, _config(), quiet=True)]
    assert ran == ["corpus"]  # the corpus stage owns its file: rewritten as it was, so nothing after is stale
    assert corpus.read_bytes() == original


def test_an_edited_graph_file_reruns_everything(tmp_path):
    graph = tmp_path / "g.py"
    graph.write_text("import rational\n"
                     "graph = rational.RelationGraph().add_relation('colour', ['red', 'blue'])"
                     ".add_relation('mood', ['calm', 'sad'])\n"
                     "graph.add_edge('colour', 'mood')\n"
                     "WORLD = {'n_subjects': 12}\n")
    config = _config(world={"name": str(graph), "n_subjects": 12}, evaluate={"n_requests": 2},
                     report={"plots": False, "trace_requests": 0})
    for stage in ("world", "corpus"):
        run_stage(stage, tmp_path / "run", config, quiet=True)
    graph.write_text(graph.read_text().replace("'sad'", "'angry'"))
    assert run_stage("world", tmp_path / "run", config, quiet=True)  # the file's content is in the stamp
    world = bridges.load_world(tmp_path / "run" / "world" / "world.json")
    assert world.graph.domain("mood") == ("calm", "angry")
    with pytest.raises(PipelineError, match="needs stage 'world' first"):
        run_stage("corpus", tmp_path / "run", _config(), quiet=True)  # another world: its stage is not done


def test_force_reruns_every_stage(finished_run, tmp_path, capsys):
    run = copy_run(finished_run, tmp_path)
    run_pipeline(run, _config(), force=True)
    out = capsys.readouterr().out
    for stage in bridges.STAGES:
        assert f"{stage}: running (forced)" in out
    assert (run / "results.json").read_bytes() == (finished_run / "results.json").read_bytes()


def test_incompatible_run_directory(tmp_path):
    (tmp_path / "run.json").write_text(json.dumps({"format": 999}))
    with pytest.raises(PipelineError, match="incompatible version"):
        run_stage("world", tmp_path, _config(), quiet=True)


def test_stage_before_its_input(tmp_path):
    with pytest.raises(PipelineError, match="needs stage 'world' first .world: not run yet"):
        run_stage("requests", tmp_path, _config(), quiet=True)


def test_cli_reports_bad_input_without_traceback(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[evaluate]\nn_request = 3\n")
    proc = subprocess.run([sys.executable, "-m", "bridges", "run", "--run", str(tmp_path / "r"), "--config",
                           str(bad)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "unknown key 'n_request'" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "r").exists()  # nothing ran


# -- keeping an edit -----------------------------------------------------------------------------------------
def test_a_saved_edit_scores_as_the_edited_model_and_can_be_judged(finished_run, tmp_path):
    import lm

    from bridges.bench.believers import LMBeliever
    from bridges.run.keep import judge_model, parse_requests, save_edit

    settings = _config().validate()
    req = bridges.load_requests(finished_run)[0][0]
    requests = parse_requests([f"{req.subject} | {req.relation} | {req.obj}"])
    out = save_edit(finished_run, settings, "lora", requests, tmp_path / "edited")
    assert out["p_after"][0] > out["p_before"][0]
    # the saved model scores exactly as the edited one (the same edit again, in memory) with its adapter merged,
    # which is what is saved; unmerged, within float32 rounding of the merge (measured ~1e-7)
    world = bridges.load_world(finished_run / "world" / "world.json")
    domains = {r: world.graph.domain(r) for r in world.graph.relations}
    edited = LMBeliever(lm.load(finished_run / "train"), domains, "lora", settings.edit["lora"]).edit_together(requests)
    merged = edited.model.with_weights(copy.deepcopy(edited.model.peft_model).merge_and_unload())
    again = lm.load(tmp_path / "edited")
    queries = [(s, r) for s in world.subjects[:5] for r in world.graph.relations]
    for a, b, c in zip(merged.distributions(queries, domains)[0], again.distributions(queries, domains)[0],
                       edited.model.distributions(queries, domains)[0]):
        assert (a == b).all() and np.abs(b - c).max() < 1e-5
    # a transformers directory alone (weights, no tokenizer of its own) is judged with the run's tokenizer
    again.model.save_pretrained(tmp_path / "bare")
    judged = judge_model(finished_run, settings, tmp_path / "bare", requests)
    assert judged["edits"] == 1 and judged["efficacy"]["mean"] == pytest.approx(out["p_after"][0], abs=1e-6)
    # a model of another tokenizer is refused, naming it
    toy = lm._toy.write_toy_corpus(tmp_path / "toy", n_subjects=3, n_relations=1)
    lm.LanguageModel.untrained(toy, lm.ModelConfig(d_model=16, n_layers=1, n_heads=2, d_ff=32)).save(tmp_path / "other")
    with pytest.raises(lm.CheckpointError, match="holds a model of another tokenizer"):
        judge_model(finished_run, settings, tmp_path / "other", requests)
    with pytest.raises(PipelineError, match="unknown relation 'no such'"):
        judge_model(finished_run, settings, tmp_path / "bare", parse_requests([f"{req.subject} | no such | x"]))
    with pytest.raises(PipelineError, match="edits by a prefix"):
        save_edit(finished_run, settings, "context", requests, tmp_path / "ctx")


def test_reported_requests_never_edit_the_tuning_people(finished_run):
    """Defaults are tuned on requests about a fixed share of the people (bridges.tuning_people); the table
    reports requests about the others only."""
    data = json.loads((finished_run / "requests" / "requests.json").read_text())
    world = bridges.load_world(finished_run / "world" / "world.json")
    tuning = bridges.tuning_people(world, 0.25)
    assert set(data["tuning_people"]) == tuning and len(tuning) == 6  # a quarter of 24 people
    assert not {r["subject"] for r in data["requests"]} & tuning
    # and a tuning set drawn as the tuning scripts draw it is disjoint from the reported requests
    from bridges.bench.believers import BayesBeliever
    agent = BayesBeliever(bridges.load_posterior(finished_run))
    tuned = bridges.sample_requests(world, agent, bridges.EvaluateConfig(n_requests=6, seed=1, implication_share=0.5),
                                    agent, subjects=tuning)
    assert {r.subject for r in tuned} <= tuning
    assert not {(r.subject, r.relation) for r in tuned} & {(r["subject"], r["relation"]) for r in data["requests"]}


def test_the_sequential_stage_writes_its_table(finished_run):
    seq = json.loads((finished_run / "sequential" / "results.json").read_text())
    assert seq["checkpoints"] == [1, 4] and set(seq["agents"]) == {"lm:lora", "lm:lora (batch)"}
    assert seq["order_effect"]["bayes:bayes"] < 1e-12
    assert "Sequential editing: 4 edits" in (finished_run / "report" / "table.txt").read_text()
    assert (finished_run / "report" / "sequential.png").is_file()


def test_locate_and_edit_methods_get_their_key_statistics(tmp_path):
    """rome and memit read key statistics: the keys stage estimates them once, for the layers the methods
    edit, every later stage attaches them, and a run without such methods writes none."""
    import lm

    run = tmp_path / "run"
    model = {**TINY["train"]["model"], "n_layers": 2}
    config = _config(train={"model": model}, edit={"rome": {"steps": 3}, "memit": {"steps": 3}},
                     evaluate={"methods": ["rome", "memit", "lora"]}, sequential={"methods": ["rome"]})
    run_pipeline(run, config, quiet=True)
    meta = json.loads((run / "keys" / "stats" / "key_statistics.json").read_text())
    assert meta["layers"] == [0]  # both methods edit layer 0 by default
    stats = lm.load_key_statistics(run / "keys" / "stats", lm.load(run / "train"))
    assert stats.n_tokens > 0
    records = json.loads((run / "results.json").read_text())["records"]
    assert {"lm:rome", "lm:memit", "lm:lora"} <= set(records[0]["agents"])
    # the same run without them: the keys stage reruns and leaves no statistics behind
    ran = [st for st in bridges.STAGES
           if run_stage(st, run, _config(train={"model": model}), quiet=True)]
    assert "keys" in ran and not (run / "keys" / "stats").exists()


def test_methods_of_a_stage_that_edits_nothing_are_not_checked_against_the_model():
    """[sequential] n_edits = 0 runs none of its methods: a method that cannot edit a 1-layer model (memit edits
    below the top layer) is refused only where something would run it, naming its section."""
    one_layer = {"model": {**TINY["train"]["model"], "n_layers": 1}}
    _config(train=one_layer, sequential={"n_edits": 0, "methods": ["memit"], "batch_methods": []}).validate()
    with pytest.raises(PipelineError, match=r"\[edit.memit\].*top layer"):
        _config(train=one_layer, sequential={"methods": ["memit"]}).validate()
    with pytest.raises(PipelineError, match=r"\[edit.rome\].*top layer"):
        _config(train=one_layer, evaluate={"methods": ["rome"]}).validate()


def test_a_sequential_stage_that_edits_nothing_ignores_its_other_settings(finished_run, tmp_path):
    """With n_edits = 0 the sequential stage writes the same empty result whatever its methods or rules:
    changing them reruns nothing."""
    run = copy_run(finished_run, tmp_path)
    off = {"n_edits": 0}
    assert run_stage("sequential", run, _config(sequential=off), quiet=True)
    changed = _config(sequential={**off, "methods": ["ft"], "rules": ["bayes"]})
    assert not run_stage("sequential", run, changed, quiet=True)
    assert json.loads((run / "sequential" / "results.json").read_text())["config"] == {"n_edits": 0}
