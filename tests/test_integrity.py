"""Bad input and faults a new user meets, each with a clear one-line error or the right behaviour.

One table per kind: (case, what is done, the error type, the text the message must contain). The cases
are the ones found by trying ~90 bad inputs and faults on a fresh clone (see the pipeline-of-artefacts
issue); every message names the culprit.
"""

import errno
import json
import os
import shutil
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import bridges
import bridges.cli
import lm
import rational
from bridges import PipelineError, RunConfig, run_pipeline, run_stage
from bridges.run.report import _fmt
from micro_run import MICRO, copy_run, run_config

TINY = MICRO


def _config(**sections) -> RunConfig:
    return run_config(TINY, **sections)


# -- the whole config is validated before any stage runs, types strictly -------------------------------------
CONFIGS = [
    ("negative count", {"evaluate": {"n_requests": -3}}, "n_requests must be a positive integer, got -3"),
    ("count as text", {"evaluate": {"n_requests": "four"}}, "n_requests must be an integer, got 'four'"),
    ("count as float", {"evaluate": {"n_requests": 4.7}}, "n_requests must be an integer, got 4.7"),
    ("bool is not a count", {"evaluate": {"n_requests": True}}, "n_requests must be an integer, got True"),
    ("methods not a list", {"evaluate": {"methods": "lora"}}, "methods must be a list of strings, got 'lora'"),
    ("unknown method", {"evaluate": {"methods": ["lora", "grace"]}}, "unknown edit method 'grace'"),
    ("unknown rule", {"evaluate": {"rules": ["bayes", "pearl"]}}, "unknown update rule 'pearl'"),
    ("seed as text", {"world": {"seed": "zero"}}, "[world] seed must be a non-negative integer, got 'zero'"),
    ("negative seed", {"world": {"seed": -1}}, "[world] seed must be a non-negative integer, got -1"),
    ("unknown world key", {"world": {"nmae": "tiny"}}, "unknown key 'nmae' in [world]"),
    ("world option type", {"world": {"eps": "low"}}, "[world] eps must be a number, got 'low'"),
    ("world option range", {"world": {"eps": 1.5}}, "eps must be a number in [0, 1)"),
    ("unknown edit key", {"edit": {"lora": {"rnak": 2}}}, "[edit.lora]: unknown key 'rnak'"),
    ("unknown model key", {"train": {"model": {"width": 2}}}, "[train.model]: unknown key 'width'"),
    ("bad train value", {"train": {"epochs": 0}}, "TrainConfig.epochs must be a positive integer"),
    ("unknown preset", {"train": {"preset": "huge"}}, "unknown preset 'huge'"),
    ("unknown section", {"evaluation": {"n_requests": 3}}, "unknown section [evaluation]"),
    ("corpus layout", {"corpus": {"chunk": 0}}, "[corpus]: chunk must be a positive integer"),
    ("report", {"report": {"plots": "yes"}}, "plots must be true or false, got 'yes'"),
]


@pytest.mark.parametrize("case, sections, message", CONFIGS, ids=[c[0] for c in CONFIGS])
def test_bad_config_is_refused_before_anything_runs(case, sections, message):
    with pytest.raises(PipelineError) as err:
        RunConfig().merged(sections, "run.toml").validate()
    assert message in str(err.value) and "run.toml" in str(err.value)


def test_partial_model_table_keeps_the_preset():
    settings = RunConfig().merged({"train": {"preset": "small", "model": {"d_ff": 1024}}}, "t").validate()
    assert settings.train.model == lm.ModelConfig(**{**vars(lm.get_preset("small")), "d_ff": 1024})
    assert settings.train.preset == "small"


def test_config_file_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="config file"):
        bridges.load_config(tmp_path / "missing.toml")
    (tmp_path / "bad.toml").write_text("[world\n")
    with pytest.raises(PipelineError, match="not valid TOML"):
        bridges.load_config(tmp_path / "bad.toml")


# -- bad input to the three packages -----------------------------------------------------------------------
@pytest.fixture(scope="module")
def posterior():
    return rational.fit(rational.sample_world(rational.example_graph(), 20, seed=0))  # a World is accepted


def _s(post):
    return post.subjects[0]


API = [
    ("fit of something else", lambda p: rational.fit("evidence"), TypeError, "fit takes a rational.Evidence"),
    ("jeffrey q passed positionally", lambda p: rational.update(p, "jeffrey", _s(p), "country", {"Japan": 1.0}),
     rational.EvidenceError, "pass a distribution as q=..."),
    ("jeffrey target", lambda p: rational.update(p, "jeffrey", _s(p), "country", "Japan", target=1.5),
     rational.EvidenceError, "jeffrey: target must be a number in (0, 1], got 1.5"),
    ("virtual ratio", lambda p: rational.update(p, "virtual", _s(p), "country", "Japan", ratio=-3),
     rational.EvidenceError, "virtual: ratio must be a positive finite number, got -3"),
    ("observe target", lambda p: rational.update(p, "observe", _s(p), "country", "Japan", target=2),
     rational.EvidenceError, "observe: target must be a number in (0, 1), got 2"),
    ("fractional mention count", lambda p: rational.Evidence(p.graph, ["Ann"]).add_mention("Ann", "country", "Japan",
                                                                                          count=0.5),
     rational.EvidenceError, "mention count must be a non-negative integer, got 0.5"),
    ("no subjects", lambda p: rational.sample_world(p.graph, n_subjects=0), rational.EvidenceError,
     "n_subjects must be a positive integer, got 0"),
    ("edge to an unknown relation", lambda p: rational.RelationGraph().add_relation("a", ["x"]).add_edge("a", "b"),
     rational.GraphError, "unknown relation 'b'; add it with add_relation"),
    ("unknown world option", lambda p: rational.sample_world(p.graph, 5, noise=0.1), rational.EvidenceError,
     "unknown option(s) ['noise']"),
    ("reliability range", lambda p: rational.sample_world(p.graph, 5, reliability=(0.9, 0.6)), rational.EvidenceError,
     "reliability must be None or (lo, hi) with 0 <= lo < hi <= 1"),
    ("mentions range", lambda p: rational.sample_world(p.graph, 5, mentions_per_fact=(3, 1)), rational.EvidenceError,
     "mentions_per_fact must be a positive integer or [lo, hi]"),
    ("held out for an unknown relation", lambda p: rational.sample_world(p.graph, 5, held_out_by_relation={"x": 0.5}),
     rational.EvidenceError, "held_out_by_relation names unknown relation 'x'"),
    ("request as subject and request", lambda p: rational.update(p, "bayes", bridges.EditRequest(_s(p), "country",
                                                                                                 "Japan"), "country"),
     rational.EvidenceError, "either a request object or subject, relation, obj"),
    ("bad request", lambda p: bridges.EditRequest("Ann", "country", ""), ValueError, "EditRequest.obj must be"),
]


@pytest.mark.parametrize("case, call, error, message", API, ids=[c[0] for c in API])
def test_bad_api_input_names_the_culprit(posterior, case, call, error, message):
    with pytest.raises(error) as err:
        call(posterior)
    assert message in str(err.value)


def test_update_takes_a_request_object(posterior):
    req = bridges.EditRequest(_s(posterior), "country", "Japan")
    a = rational.update(posterior, "bayes", req)
    b = rational.update(posterior, "bayes", req.subject, req.relation, req.obj)
    assert np.array_equal(a.distribution(req.subject, "language"), b.distribution(req.subject, "language"))


FILES = [
    ("graph file with a syntax error", "g.py", b"graph = (\n", "g.py:1: syntax error in the graph file"),
    ("empty world name", None, None, "the world name is empty"),
]


@pytest.mark.parametrize("case, name, content, message", FILES, ids=[c[0] for c in FILES])
def test_bad_world_names_the_file(tmp_path, case, name, content, message):
    target = ""
    if name:
        target = tmp_path / name
        target.write_bytes(content)
    with pytest.raises(bridges.WorldError, match=message.replace(".", r"\.")):
        bridges.resolve_world(target)


@pytest.mark.parametrize("which", ["triples", "names"])
def test_binary_garbage_in_a_triples_file_names_it(tmp_path, which):
    triples, names = tmp_path / "triples.txt", tmp_path / "names.txt"
    triples.write_text("Q1\tP1\tQ2\nQ1\tP2\tQ3\n")
    names.write_text("Q1\tAnn\nQ2\tParis\nQ3\tFrance\nP1\tborn in\nP2\tcountry\n")
    (triples if which == "triples" else names).write_bytes(b"\x80\x81\xfe\xff\x00garbage\n")
    with pytest.raises(bridges.TriplesError, match=f"{which}.txt:1: not UTF-8 text"):
        bridges.load_triples(triples, names, n_relations=2, min_cooccurrence=1)


def test_ambiguous_names_are_refused_when_the_world_is_built(tmp_path):
    graph = tmp_path / "ambiguous.py"
    graph.write_text(textwrap.dedent("""
        import rational
        graph = rational.RelationGraph().add_relation("a", ["b x", "y"]).add_relation("a b", ["x", "z"])
        graph.add_edge("a", "a b")
        WORLD = {"n_subjects": 5}
    """))
    with pytest.raises(bridges.InvalidNameError, match=r"reads as \(.* \| a \| b x\) and as \(.* \| a b \| x\)"):
        bridges.build_world(graph)


# -- the corpus command ---------------------------------------------------------------------------------------
CORPUS_CLI = [
    ("negative seed", ["--seed", "-1"], "seed must be a non-negative integer, got -1"),
    ("empty world name", ["--world", ""], "the world name is empty"),
    ("unknown world", ["--world", "nope"], "unknown world 'nope'"),
]


@pytest.mark.parametrize("case, argv, message", CORPUS_CLI, ids=[c[0] for c in CORPUS_CLI])
def test_corpus_command_errors(tmp_path, capsys, case, argv, message):
    assert bridges.cli.main(["corpus", "--out", str(tmp_path / "c"), "--quiet", *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not (tmp_path / "c").exists()


def test_corpus_command_keeps_another_worlds_corpus(tmp_path, capsys):
    out = tmp_path / "c"
    assert bridges.cli.main(["corpus", "--world", "tiny", "--out", str(out), "--quiet"]) == 0
    before = (out / "corpus.jsonl").read_bytes()
    assert bridges.cli.main(["corpus", "--world", "tiny", "--seed", "3", "--out", str(out), "--quiet"]) == 2
    assert "already holds a corpus of world 'tiny' with another seed" in capsys.readouterr().err
    assert (out / "corpus.jsonl").read_bytes() == before
    assert bridges.cli.main(["corpus", "--world", "tiny", "--seed", "3", "--out", str(out), "--quiet", "--force"]) == 0
    assert (out / "corpus.jsonl").read_bytes() != before
    assert bridges.cli.main(["corpus", "--world", "tiny", "--seed", "3", "--out", str(out), "--quiet"]) == 0  # same


def test_disk_full_is_one_clear_line(tmp_path, capsys, monkeypatch):
    import bridges.corpus.write as write

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "c" / "corpus.jsonl"))

    monkeypatch.setattr(write, "write_corpus", full)
    assert bridges.cli.main(["corpus", "--world", "tiny", "--out", str(tmp_path / "c"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "the disk is full" in err and "corpus.jsonl" in err and "Traceback" not in err


def test_torch_disk_full_becomes_enospc(tmp_path, monkeypatch):
    from lm._train import raise_if_disk_full

    monkeypatch.setattr(shutil, "disk_usage", lambda p: shutil._ntuple_diskusage(10**9, 10**9 - 1000, 1000))
    err = RuntimeError("[enforce fail at inline_container.cc:626] . unexpected pos 123 vs 456")
    with pytest.raises(OSError) as raised:
        raise_if_disk_full(err, tmp_path / "checkpoint")
    assert raised.value.errno == errno.ENOSPC and "checkpoint" in str(raised.value)


def test_disk_full_while_saving_a_posterior_names_the_file(posterior, tmp_path, monkeypatch):
    def full(fd):  # what the kernel reports: no file name
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OSError) as raised:
        posterior.save(tmp_path / "fit")
    assert raised.value.errno == errno.ENOSPC and raised.value.filename == str(tmp_path / "fit" / "posterior.npz")
    assert str(tmp_path / "fit" / "posterior.npz") in str(raised.value)
    assert not list((tmp_path / "fit").iterdir())  # no temporary file left behind


def test_lm_train_on_a_missing_gpu(tmp_path):
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU: the error case cannot happen here")
    corpus = lm._toy.write_toy_corpus(tmp_path / "c", n_subjects=3, n_relations=1)
    with pytest.raises(lm.LMError, match="no CUDA GPU"):
        lm.train_from_corpus(corpus, tmp_path / "o", device="cuda", epochs=1, progress=False)


# -- strict JSON and printed numbers -----------------------------------------------------------------------
def test_summary_is_strict_json_with_empty_and_single_groups():
    from bridges.bench.summary import interval, summarise

    assert interval([]) == {"mean": None, "lo": None, "hi": None, "n": 0, "note": "no data"}
    assert interval([0.3])["lo"] is None and interval([0.3])["note"] == "one value: no interval"
    entry = {"p_requested_pre": 0.1, "p_requested_post": 0.9, "p_requested_raw_pre": 0.1,
             "p_requested_raw_post": 0.9, "success": True, "logic": {"negation": 0.1}, "cases": {"r": {}}}
    record = {"index": 0, "request": {}, "groups": ["all", "updating"],
              "reference": {"r": {"p_requested_pre": 0.2, "p_requested_post": 1.0, "logic": {}}},
              "agents": {"a": entry}}
    summary = summarise([record])
    json.dumps(summary, allow_nan=False)  # raises on NaN
    assert summary["counts"]["fixing"] == 0
    assert summary["groups"]["fixing"]["agents"]["a"]["p_requested"]["post"]["mean"] is None


@pytest.mark.parametrize("block, text", [
    ({"mean": 0.04, "lo": -0.004, "hi": 0.09}, "0.040 [0.00,0.09]"),  # never "[-0.00,0.09]"
    ({"mean": None, "lo": None, "hi": None}, "-"),
    ({"mean": 0.5, "lo": None, "hi": None}, "0.500"),
])
def test_printed_intervals(block, text):
    assert _fmt(block) == text


# -- run directories: locking, force, recovery ------------------------------------------------------------
@pytest.fixture(scope="module")
def finished_run(tmp_path_factory):
    run = tmp_path_factory.mktemp("run")
    run_pipeline(run, _config(), quiet=True)
    return run


def test_a_second_process_is_refused_and_told_who_holds_the_run(tmp_path):
    code = ("import sys, time; from bridges.run.lock import run_lock\n"
            "with run_lock(sys.argv[1]):\n    print('held', flush=True); time.sleep(30)\n")
    holder = subprocess.Popen([sys.executable, "-c", code, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(PipelineError, match=f"in use by process {holder.pid}"):
            run_stage("world", tmp_path, _config(), quiet=True)
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
    assert run_stage("world", tmp_path, _config(), quiet=True)  # free again once the holder is gone


def test_forced_evaluate_keeps_old_records_when_its_inputs_fail_to_load(finished_run, tmp_path, monkeypatch):
    from bridges.run.stages import evaluate as stage

    run = copy_run(finished_run, tmp_path)
    records = (run / "evaluate" / "records.jsonl").read_bytes()

    def broken(*args):
        raise lm.CheckpointError("cannot load the weights")

    monkeypatch.setattr(stage, "load_agents", broken)
    with pytest.raises(lm.CheckpointError):
        run_stage("evaluate", run, _config(), force=True, quiet=True)
    assert (run / "evaluate" / "records.jsonl").read_bytes() == records
    monkeypatch.undo()
    (run / "train" / "model" / "model.safetensors").write_bytes(b"corrupt")  # a changed input is caught at once
    with pytest.raises(PipelineError, match="needs stage 'train' first .*model is missing or changed"):
        run_stage("evaluate", run, _config(), force=True, quiet=True)
    assert (run / "evaluate" / "records.jsonl").read_bytes() == records


def test_corrupt_checkpoint_says_how_to_recover_and_force_does(finished_run, tmp_path):
    run = copy_run(finished_run, tmp_path)
    (run / "train" / "checkpoint" / "trainer_state.pt").write_bytes(b"not a checkpoint")
    shutil.rmtree(run / "train" / "model")  # the stage is no longer done; its checkpoint would be resumed
    with pytest.raises(PipelineError, match=r"corrupt training state.*run `python -m bridges train --run .* --force`"):
        run_stage("train", run, _config(), quiet=True)
    assert run_stage("train", run, _config(), force=True, quiet=True)
    assert (run / "train" / "model" / "config.json").is_file()


def test_changed_training_settings_start_over_instead_of_failing(finished_run, tmp_path):
    run = copy_run(finished_run, tmp_path)
    assert run_stage("train", run, _config(train={"epochs": 1}), quiet=True)
    metrics = json.loads((run / "train" / "metrics.json").read_text())
    assert metrics["epochs_completed"] == 1


def test_a_fit_of_another_corpus_is_refused(finished_run, tmp_path):
    from bridges import load_posterior

    run = copy_run(finished_run, tmp_path)
    other = copy_run(finished_run, tmp_path / "other")
    bridges.make_corpus("tiny", other / "corpus", seed=5, n_subjects=16, shuffles=1, quiet=True, force=True)
    shutil.copytree(other / "corpus", run / "corpus", dirs_exist_ok=True)
    with pytest.raises(PipelineError, match="fitted to another corpus"):
        load_posterior(run)


def test_saved_posterior_checks_its_evidence_and_integrity(finished_run, tmp_path):
    run = copy_run(finished_run, tmp_path)
    world = bridges.load_world(run / "world" / "world.json")
    post = rational.load(run / "fit", world.evidence)  # the evidence it was fitted to
    other = bridges.build_world("tiny", seed=9, n_subjects=16)
    with pytest.raises(rational.EvidenceError, match="fitted to other evidence"):
        rational.load(run / "fit", other.evidence)
    data = bytearray((run / "fit" / "posterior.npz").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (run / "fit" / "posterior.npz").write_bytes(bytes(data))
    with pytest.raises(rational.EvidenceError, match="corrupt or was changed after saving"):
        rational.load(run / "fit")
    assert post.info.converged


def _swap(items, i=0, j=1):
    items[i], items[j] = items[j], items[i]


# edits to posterior.json that would move beliefs silently (swapped subjects moved one belief by 0.88)
TAMPERING = [
    ("swapped subjects", lambda h: _swap(h["subjects"])),
    ("edited eps", lambda h: h["channel"].update(eps=0.2)),
    ("swapped domain objects", lambda h: _swap(h["graph"]["relations"][0]["domain"])),
]


@pytest.fixture(scope="module")
def saved_fit(tmp_path_factory):
    world = rational.sample_world(rational.example_graph(), 20, seed=0)
    return rational.fit(world.evidence).save(tmp_path_factory.mktemp("fit"), meta={"corpus": "abc"}), world


def _tampered(saved, tmp_path, edit, *, digest=False, fingerprint=False, old=False):
    """A copy of a saved posterior with its JSON edited; ``digest``/``fingerprint``: the editor also
    recomputed json_sha256 / evidence_sha256; ``old``: a file written before json_sha256 existed."""
    from rational._store import _json_digest

    out = shutil.copytree(saved, tmp_path / "fit")
    header = json.loads((out / "posterior.json").read_text())
    edit(header)
    if fingerprint:  # the fingerprint of the evidence the edited file describes (mentions from the arrays)
        graph, channel = rational.RelationGraph.from_json(header["graph"]), header["channel"]
        ev = rational.Evidence.from_dict(graph, {**channel, "subjects": header["subjects"], "mentions": {},
                                                 "statements": header["statements"]})
        with np.load(out / "posterior.npz") as arrays:
            for i, r in enumerate(graph.relations):
                ev.add_mention_arrays(r, arrays[f"mention_s_{i}"], arrays[f"mention_o_{i}"])
        header["evidence_sha256"] = ev.fingerprint()
    if old:
        header.pop("json_sha256", None)
    elif digest or fingerprint:
        header["json_sha256"] = _json_digest(header)
    (out / "posterior.json").write_text(json.dumps(header))
    return out


@pytest.mark.parametrize("case, edit", TAMPERING, ids=[c[0] for c in TAMPERING])
def test_an_edited_saved_posterior_is_refused(saved_fit, tmp_path, case, edit):
    saved, world = saved_fit
    changed = _tampered(saved, tmp_path / "a", edit)
    for evidence in (None, world.evidence):
        with pytest.raises(rational.EvidenceError, match=r"posterior.json was changed after saving \(digest "
                                                         r"mismatch\); fit again"):
            rational.load(changed, evidence)
    with pytest.raises(rational.EvidenceError, match="digest mismatch"):
        rational.read_header(changed)
    # the digest recomputed too, or a file without one: the evidence rebuilt from the file is checked
    for kw in ({"digest": True}, {"old": True}):
        for evidence in (None, world.evidence):
            with pytest.raises(rational.EvidenceError, match="changed after saving .*evidence it describes"):
                rational.load(_tampered(saved, tmp_path / f"{kw}{evidence is None}", edit, **kw), evidence)
    # the evidence fingerprint recomputed as well: only the evidence= check can tell, and does
    forged = _tampered(saved, tmp_path / "c", edit, fingerprint=True)
    with pytest.raises(rational.EvidenceError, match="fitted to other evidence"):
        rational.load(forged, world.evidence)


def test_a_saved_posterior_without_a_json_digest_is_still_read(saved_fit, tmp_path):
    saved, world = saved_fit
    old = _tampered(saved, tmp_path, lambda h: None, old=True)
    assert "json_sha256" not in json.loads((old / "posterior.json").read_text())
    again = rational.load(old, world.evidence)
    assert np.array_equal(again.distributions("country"), rational.load(saved).distributions("country"))
    meta_edit = _tampered(saved, tmp_path / "m", lambda h: h["meta"].update(corpus="other"))
    with pytest.raises(rational.EvidenceError, match="digest mismatch"):  # meta is covered too
        rational.read_header(meta_edit)


def test_no_pickle_in_saved_posteriors(finished_run):
    with np.load(finished_run / "fit" / "posterior.npz", allow_pickle=False) as f:
        assert all(f[k].dtype != object for k in f.files)
    assert os.path.getsize(finished_run / "fit" / "posterior.json") > 0
