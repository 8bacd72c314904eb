"""Loading catalogue files: validation, idempotence, frozen versions."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from audits.catalogue.schema import DEFAULT_FILE
from audits.models import Attestation, AuditRun, CatalogueVersion, Check, Clause
from audits.services.runs import current_catalogue, request_audit

FIRST_FILE = DEFAULT_FILE.with_name("tcmbn-1.0.yaml")


def _document(path: Path = DEFAULT_FILE) -> dict:
    return yaml.safe_load(path.read_bytes())


def _write(tmp_path: Path, document: dict, name: str = "catalogue.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path


def _load(*args: str) -> str:
    out = StringIO()
    call_command("load_clause_catalogue", *args, stdout=out)
    return out.getvalue()


def _counts() -> tuple[int, int, int, int]:
    return (
        CatalogueVersion.objects.count(),
        Clause.objects.count(),
        Check.objects.count(),
        Attestation.objects.count(),
    )


@pytest.mark.django_db
def test_the_shipped_catalogue_loads_with_every_clause_check_and_attestation():
    output = _load()

    stored = CatalogueVersion.objects.get()
    assert stored.version == "1.1"
    assert "Loaded catalogue 1.1" in output
    assert stored.clauses.filter(kind="clause").count() == 34
    assert stored.clauses.filter(kind="table_row").count() == 4
    assert stored.checks.count() == 54
    gini = stored.checks.get(check_id="fair-traffic-gini")
    assert (gini.clause.number, gini.comparator, gini.threshold) == (
        "8.1.T1.4",
        "<=",
        0.6,
    )
    price = stored.checks.get(check_id="price-dispersion")
    assert (price.clause.number, price.comparator, price.threshold) == (
        "4.4",
        "<=",
        0.05,
    )
    assert stored.clauses.get(number="6.2.2").parent.number == "6.2"


@pytest.mark.django_db
def test_catalogue_1_1_is_1_0_with_the_price_dispersion_checks_added():
    first, shipped = _document(FIRST_FILE), _document()
    checks_4_4 = shipped["clauses"][4]["checks"]
    added = [check["id"] for check in checks_4_4[1:]]
    assert added == ["price-dispersion", "price-dispersion-region"]

    del checks_4_4[1:]
    assert (first.pop("version"), shipped.pop("version")) == ("1.0", "1.1")
    assert shipped == first


@pytest.mark.django_db
def test_loading_the_same_file_twice_changes_nothing(compliance_officer):
    _load("--user", compliance_officer.username)
    before = _counts()
    loaded_at = CatalogueVersion.objects.get().loaded_at

    output = _load()

    assert _counts() == before
    assert "Already loaded, unchanged" in output
    stored = CatalogueVersion.objects.get()
    assert (stored.loaded_at, stored.loaded_by) == (loaded_at, compliance_officer)


@pytest.mark.django_db
def test_same_version_with_other_content_is_refused(tmp_path):
    _load()
    before = _counts()
    document = _document()
    document["clauses"][1]["summary_en"] = "Quietly reworded."

    with pytest.raises(CommandError, match="already loaded from a file with SHA-256"):
        _load(str(_write(tmp_path, document)))

    assert _counts() == before


@pytest.mark.django_db
def test_a_new_version_leaves_the_older_one_untouched(tmp_path):
    _load()
    old = CatalogueVersion.objects.get()
    old_rows = list(old.checks.values_list("check_id", "threshold"))
    document = _document()
    document["version"] = "1.2"
    gini = document["clauses"][3]["checks"][0]
    gini["threshold"] = 0.5

    _load(str(_write(tmp_path, document)))

    assert CatalogueVersion.objects.count() == 2
    assert list(old.checks.values_list("check_id", "threshold")) == old_rows
    newer = CatalogueVersion.objects.get(version="1.2")
    assert newer.checks.get(check_id=gini["id"]).threshold == 0.5
    assert old.checks.get(check_id=gini["id"]).threshold == 0.6


@pytest.mark.django_db
def test_loading_1_1_after_1_0_leaves_a_run_made_under_1_0_unchanged():
    _load(str(FIRST_FILE))
    run = request_audit(
        actor=None, start=dt.date(2026, 2, 1), end=dt.date(2026, 2, 28), enqueue=False
    )
    frozen = list(run.catalogue.checks.values_list("check_id", "threshold"))

    _load()

    run = AuditRun.objects.get(pk=run.pk)
    assert run.catalogue.version == "1.0"
    assert list(run.catalogue.checks.values_list("check_id", "threshold")) == frozen
    assert not run.catalogue.checks.filter(check_id="price-dispersion").exists()
    assert current_catalogue().checks.filter(check_id="price-dispersion").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.pop("version"), "version: missing or empty"),
        (lambda d: d.update(schema=2), "schema: must be 1"),
        (lambda d: d["clauses"][1].update(obligation="may"), "wording says must"),
        (
            lambda d: d["clauses"][1]["checks"][0].update(comparator="≈"),
            "(4.1).checks[0].comparator: must be one of",
        ),
        (
            lambda d: d["clauses"][1]["checks"][0].update(threshold="zero"),
            "threshold: must be a number",
        ),
        (
            lambda d: d["clauses"][1]["checks"][0].update(window_days=0),
            "window_days: must be a whole number of at least 1",
        ),
        (lambda d: d["clauses"][1].pop("text_zh"), "(4.1).text_zh: missing or empty"),
        (
            lambda d: d["clauses"][2].update(checks=[], attestations=[]),
            "(4.2): needs at least one check or attestation",
        ),
        (lambda d: d["clauses"][1].update(parent="9"), "parent 9 must come before"),
        (
            lambda d: d["clauses"].append(d["clauses"][1]),
            "clause 4.1: listed twice",
        ),
    ],
)
def test_a_broken_file_is_refused_with_the_reason(tmp_path, change, message):
    document = _document()
    change(document)

    with pytest.raises(CommandError) as raised:
        _load(str(_write(tmp_path, document)))

    assert message in str(raised.value)
    assert _counts() == (0, 0, 0, 0)


@pytest.mark.django_db
def test_a_file_that_is_not_yaml_or_missing_is_refused(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("clauses: [unclosed", encoding="utf-8")

    with pytest.raises(CommandError, match="not valid YAML"):
        _load(str(broken))
    with pytest.raises(CommandError, match="No such file"):
        _load(str(tmp_path / "absent.yaml"))


@pytest.mark.django_db
def test_an_unknown_user_is_refused():
    with pytest.raises(CommandError, match="No user named 'nobody'"):
        _load("--user", "nobody")
    assert _counts() == (0, 0, 0, 0)
