"""The ``evaluate`` command end to end on small generated files."""

from __future__ import annotations

import csv
import io
import json
import math
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from recengine.evaluation.synthetic import generate_ratings, write_ml100k

METRICS = {"ndcg", "precision", "recall", "map", "coverage", "gini"}


@pytest.fixture(scope="module")
def ratings():
    # Strong tastes and a flat popularity curve: personalisation must pay off here.
    return generate_ratings(
        n_users=90,
        n_items=150,
        n_ratings=4000,
        taste=3.0,
        popularity_spread=0.8,
        random_state=3,
    )


@pytest.fixture
def ml100k_file(tmp_path, ratings) -> Path:
    return write_ml100k(tmp_path / "u.data", ratings)


def write_csv(path: Path, rows) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["user", "item", "timestamp", "event"])
        writer.writerows(rows)
    return path


def csv_rows(ratings, mask=None):
    kinds = ["click", "like", "order", "impression"]
    for index in np.flatnonzero(mask if mask is not None else np.ones(len(ratings))):
        yield (
            f"v{ratings.users[index]}",
            f"p{ratings.items[index]}",
            int(ratings.timestamps[index]),
            kinds[index % 4] if index % 7 else "add_to_cart",
        )


def run(*args: str) -> dict:
    out = io.StringIO()
    call_command("evaluate", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_ml100k_file_reports_engine_and_baselines(ml100k_file, ratings):
    report = run("--interactions", str(ml100k_file), "--format", "ml100k")

    protocol = report["protocol"]
    assert protocol["split"] == "random_per_user"
    assert (protocol["k"], protocol["seed"]) == (10, 42)
    assert protocol["n_users"] == 90
    assert protocol["n_train"] + protocol["n_test"] == len(ratings)
    assert protocol["n_test"] == pytest.approx(0.25 * len(ratings), rel=0.05)
    assert set(report["models"]) == {"engine", "most_popular", "item_knn"}
    for result in report["models"].values():
        assert set(result["metrics"]) == METRICS
    models = report["models"]
    assert (
        models["engine"]["metrics"]["ndcg"] > models["most_popular"]["metrics"]["ndcg"]
    )


def test_csv_file_with_events(tmp_path, ratings):
    path = write_csv(tmp_path / "events.csv", csv_rows(ratings))
    report = run(
        "--interactions", str(path), "--format", "csv", "--no-tune", "--k", "5"
    )

    # Impressions carry no positive signal and are dropped on reading.
    kept = sum(1 for index in range(len(ratings)) if not (index % 4 == 3 and index % 7))
    assert report["protocol"]["n_train"] + report["protocol"]["n_test"] == kept
    assert report["protocol"]["tuning"] == "fixed"
    assert report["models"]["engine"]["params"]["model"] == "EASE"


def test_same_seed_gives_the_same_numbers(ml100k_file):
    args = ("--interactions", str(ml100k_file), "--no-tune", "--seed", "9")
    first, second = run(*args), run(*args)
    for name in first["models"]:
        assert first["models"][name]["metrics"] == second["models"][name]["metrics"]


def test_dump_lets_anyone_recompute_ndcg(tmp_path, ratings):
    test_mask = np.random.default_rng(0).random(len(ratings)) < 0.25
    train = write_csv(tmp_path / "train.csv", csv_rows(ratings, ~test_mask))
    test = write_csv(tmp_path / "test.csv", csv_rows(ratings, test_mask))
    dump = tmp_path / "recs.csv"

    report = run(
        "--train",
        str(train),
        "--test",
        str(test),
        "--format",
        "csv",
        "--no-tune",
        "--dump-recs",
        str(dump),
    )

    assert report["protocol"]["split"] == "given"
    recomputed = ndcg_from_files(dump, train, test, k=10)
    assert recomputed == pytest.approx(report["models"]["engine"]["metrics"]["ndcg"])


def ndcg_from_files(dump: Path, train: Path, test: Path, k: int) -> float:
    """NDCG@k from the dump alone, written independently of the metrics module."""
    positive = {"click", "like", "order", "add_to_cart"}
    seen, held_out = defaultdict(set), defaultdict(set)
    for path, target in ((train, seen), (test, held_out)):
        with path.open() as handle:
            for row in csv.DictReader(handle):
                if row["event"] in positive:
                    target[row["user"]].add(row["item"])
    lists = defaultdict(dict)
    with dump.open() as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == ["user", "rank", "item"]
        for row in reader:
            lists[row["user"]][int(row["rank"])] = row["item"]

    scores = []
    for user, ranked in lists.items():
        relevant = held_out[user] - seen[user]
        dcg = sum(
            1 / math.log2(rank + 1) for rank, item in ranked.items() if item in relevant
        )
        ideal = sum(
            1 / math.log2(rank + 1) for rank in range(1, min(k, len(relevant)) + 1)
        )
        scores.append(dcg / ideal)
    return sum(scores) / len(scores)


def test_readable_table_without_json(ml100k_file):
    out = io.StringIO()
    call_command(
        "evaluate", "--interactions", str(ml100k_file), "--no-tune", stdout=out
    )
    text = out.getvalue()
    assert "ndcg@10" in text and "most_popular" in text and "item_knn" in text


@pytest.mark.parametrize(
    ("content", "fmt", "message"),
    [
        ("1\t2\t5\t881250949\n3\t4\n", "ml100k", "line 2"),
        ("1\t2\tfive\t881250949\n", "ml100k", "line 1"),
        ("user,item,timestamp\nu,i,12\nu,i,yesterday\n", "csv", "line 3"),
        ("user,item,when\nu,i,12\n", "csv", "line 1"),
        ("user,item,timestamp,event\nu,i,12,teleport\n", "csv", "teleport"),
        ("user,item,timestamp,weight\nu,i,12,-1\n", "csv", "line 2"),
        ("", "csv", "empty"),
    ],
)
def test_malformed_files_name_the_problem(tmp_path, content, fmt, message):
    path = tmp_path / "bad.txt"
    path.write_text(content)
    with translation.override("en"), pytest.raises(CommandError, match=message):
        run("--interactions", str(path), "--format", fmt)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--interactions", "missing.data"], "no such file"),
        (["--interactions", "{file}", "--format", "parquet"], "parquet"),
        (["--interactions", "{file}", "--k", "0"], "--k"),
        (["--train", "{file}"], "together"),
        ([], "--interactions"),
    ],
)
def test_bad_options_are_refused(ml100k_file, args, message):
    args = [arg.replace("{file}", str(ml100k_file)) for arg in args]
    with translation.override("en"), pytest.raises(CommandError, match=message):
        run(*args)
