"""``regviz-anim simulate``: the JSON/CSV contract and one-line errors for bad input."""
import csv
import json
import subprocess
import sys

import pytest

from regviz_anim.cli import main



def test_json_schema_and_round_trip(tmp_path, cli):
    out = tmp_path / "seed.json"
    status, _, _ = cli("simulate", "-o", str(out))
    assert status == 0
    doc = json.loads(out.read_text())
    assert set(doc) >= {"parameters", "data", "runs"}
    assert doc["parameters"]["lam"] == 0.5 and doc["parameters"]["reg"] == ["l1", "l2"]
    assert len(doc["data"]["x"]) == len(doc["data"]["y"]) == 20
    keys = {"label", "reg", "update", "w", "loss", "w_star", "zero_step", "diverged"}
    for run in doc["runs"]:
        assert keys <= set(run)
        assert len(run["w"]) == len(run["loss"]) == 201 and run["w"][0] == 1.0
    l1, l2 = doc["runs"]
    assert (l1["reg"], l1["zero_step"], l1["w"][-1]) == ("l1", 24, 0.0)
    assert l2["zero_step"] is None and abs(l2["w_star"] - 0.2005988) < 1e-6
    # round trip: rebuild the scenario from the recorded parameters and get the same numbers
    again = tmp_path / "again.json"
    argv = ["simulate", "-o", str(again)]
    for key, value in doc["parameters"].items():
        flag = "--" + key.replace("_", "-")
        if value is None:  # the default
            continue
        if isinstance(value, bool):
            argv += [flag] if value else []
        else:
            argv += [f"{flag}={','.join(map(str, value)) if isinstance(value, list) else value}"]
    assert main(argv) == 0
    assert json.loads(again.read_text())["runs"] == doc["runs"]


def test_stdout_json(cli):
    status, out, _ = cli("simulate", "--steps", "5", "-o", "-")
    assert status == 0
    assert [len(r["w"]) for r in json.loads(out)["runs"]] == [6, 6]


def test_csv_one_row_per_run_and_step(tmp_path, cli):
    out = tmp_path / "runs.csv"
    assert cli("simulate", "--steps", "30", "--l1-update", "subgradient,proximal", "-o", str(out))[0] == 0
    rows = list(csv.DictReader(out.open()))
    assert len(rows) == 3 * 31
    assert rows[0].keys() >= {"run", "label", "reg", "update", "step", "w", "loss"}
    assert [r["step"] for r in rows[:3]] == ["0", "1", "2"]
    assert {r["update"] for r in rows} == {"subgradient", "proximal", "gradient"}


@pytest.mark.parametrize("argv, fragment", [
    (["--lr", "-0.1"], "--lr -0.1: must be a finite number > 0"),
    (["--lr", "nan"], "--lr nan: must be a finite number > 0"),
    (["--lam", "-1"], "--lam -1: must be a finite number >= 0"),
    (["--lam", "inf"], "--lam inf: must be a finite number >= 0"),
    (["--steps", "0"], "--steps 0: must be a whole number from 1 to"),
    (["--reg", "l3"], "--reg l3: must be one or more of none, l1, l2, elasticnet"),
    (["--l1-update", "adam"], "--l1-update adam: must be one or more of subgradient, clipped, proximal"),
    (["--schedule", "cosine"], "--schedule cosine: must be one of constant, inv_sqrt, inv"),
    (["--x-range", "1,-1"], "--x-range 1,-1: must be two numbers LO,HI with LO < HI"),
    (["--lr", "1.3"], "lr < 1/(a+0.5) = 1.198"),
    (["--preset", "nope"], "--preset nope: must be one of seed, chatter"),
    (["--frobnicate", "1"], "unrecognized arguments: --frobnicate 1"),
])
def test_bad_input_is_exit_2_one_line_nothing_written(tmp_path, cli, argv, fragment):
    out = tmp_path / "out.json"
    status, stdout, err = cli("simulate", "-o", str(out), *argv)
    assert status == 2
    assert err.count("\n") == 1 and err.startswith("regviz-anim: error: ")
    assert fragment in err
    assert "Traceback" not in err and stdout == ""
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name, fragment", [
    ("file.txt/out.json", "file.txt is a file, not a folder"),
    ("out.txt", "the suffix must be one of .json, .csv"),
])
def test_bad_output_path(tmp_path, cli, name, fragment):
    (tmp_path / "file.txt").write_text("not a folder")
    status, _, err = cli("simulate", "-o", str(tmp_path / name))
    assert status == 2 and fragment in err and err.count("\n") == 1
    assert [p.name for p in tmp_path.iterdir()] == ["file.txt"]


def test_a_missing_output_folder_is_created_and_said(tmp_path, cli):
    status, _, err = cli("simulate", "-o", str(tmp_path / "new" / "deeper" / "out.json"))
    assert status == 0 and json.loads((tmp_path / "new" / "deeper" / "out.json").read_text())["runs"]
    assert f"created the folder {tmp_path / 'new'}/" in err
    assert f"created the folder {tmp_path / 'new' / 'deeper'}/" in err


def test_existing_output_is_untouched_by_a_failed_run(tmp_path, cli):
    out = tmp_path / "keep.json"
    out.write_text("old")
    assert cli("simulate", "-o", str(out), "--lr", "5")[0] == 2
    assert out.read_text() == "old" and list(tmp_path.iterdir()) == [out]


@pytest.mark.slow
def test_module_entry_point_exits_2_without_traceback(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "regviz_anim", "simulate", "--lam", "abc"],
                          capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr == "regviz-anim: error: --lam abc: must be a finite number >= 0 and <= 1e+06\n"


def test_presets_lists_every_preset(cli):
    status, out, _ = cli("presets")
    assert status == 0
    assert [line.split()[0] for line in out.splitlines()] == [
        "seed", "chatter", "below-threshold", "diminishing-step", "divergence", "elasticnet", "diamond", "correlated",
        "diamond-small-lambda",
        "lambda-path", "lasso-path", "tibshirani", "diabetes-path", "many-sparse", "how-often", "how-often-many",
        "sgd-l1", "adam-vs-adamw", "momentum"]
