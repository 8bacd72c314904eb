"""Allow-lists refuse personal identity; the scan finds identity data wherever it is."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from recengine.features import datasets
from recengine.features.privacy import (
    AllowList,
    PrivacyViolation,
    check_path,
    redact,
    scan_for_personal_data,
    valid_resident_id,
)
from recengine.simulator.identity import id_check_digit

MOBILE = "13912345678"
ID_BODY = "11010519900307123"
RESIDENT_ID = ID_BODY + id_check_digit(ID_BODY)
WRONG_CHECK = ID_BODY + ("0" if RESIDENT_ID[-1] != "0" else "1")


@pytest.mark.parametrize(
    ("label", "path"),
    [
        ("recengine.ViewerIdentity", "phone"),
        ("recengine.ViewerIdentity", "viewer"),
        ("recengine.Event", "viewer__identity__id_card_number"),
        ("recengine.Viewer", "identity"),
        ("recengine.Viewer", "user__email"),
        ("recengine.GroundTruth", "attributes"),
        ("auth.User", "username"),
        ("recengine.Event", "no_such_field"),
    ],
)
def test_identity_and_ungraded_fields_are_refused(label, path):
    with pytest.raises(PrivacyViolation):
        check_path(label, path)


@pytest.mark.parametrize(
    ("label", "path"),
    [
        ("recengine.Event", "viewer"),
        ("recengine.Event", "text"),
        ("recengine.Viewer", "pseudonym"),
        ("recengine.LiveRoom", "products"),
        ("recengine.LiveRoom", "anchor__is_digital_human"),
    ],
)
def test_pseudonymous_behaviour_and_content_are_allowed(label, path):
    check_path(label, path)


def test_every_builder_declaration_passes_the_check():
    declared = datasets.declared_fields()

    assert set(declared) == {"interactions", "impressions", "catalogue"}
    for fields in declared.values():
        AllowList(fields)
        assert "recengine.ViewerIdentity" not in fields


def test_a_builder_cannot_read_beyond_its_declaration(db):
    reader = AllowList({"recengine.Event": ("viewer", "kind")})

    with pytest.raises(PrivacyViolation):
        list(reader.rows("recengine.Event", ["viewer", "text"]))
    with pytest.raises(PrivacyViolation):
        list(reader.rows("recengine.Event", ["viewer"], where={"text": "x"}))
    with pytest.raises(PrivacyViolation):
        list(reader.rows("recengine.Viewer", ["id"]))
    rows = reader.rows("recengine.Event", ["viewer"], where={"kind": 1})
    assert all(len(row) == 1 for row in rows)


def test_valid_resident_id_checks_the_check_digit():
    assert valid_resident_id(RESIDENT_ID)
    assert not valid_resident_id(WRONG_CHECK)
    assert not valid_resident_id("123")


def kinds(findings) -> list[str]:
    return sorted(finding.kind for finding in findings)


def test_scan_finds_identity_data_in_text():
    found = scan_for_personal_data(
        ["联系我 " + MOBILE, f"身份证{RESIDENT_ID}", "mail: li.wei@example.cn"]
    )

    assert kinds(found) == ["email", "mobile", "resident_id"]
    assert all(MOBILE not in finding.excerpt for finding in found)


def test_scan_ignores_an_id_with_a_wrong_check_digit_and_longer_digit_runs():
    assert scan_for_personal_data([WRONG_CHECK, "1" + MOBILE + "9"]) == []


def test_scan_finds_numbers_stored_in_numeric_columns():
    matrix = np.random.default_rng(0).normal(size=(50, 8)).astype(np.float64)
    matrix[7, 3] = float(MOBILE)
    ids = np.arange(10, dtype=np.int64)
    ids[4] = int(RESIDENT_ID) if RESIDENT_ID.isdigit() else int(ID_BODY + "0")

    assert kinds(scan_for_personal_data(matrix)) == ["mobile"]
    assert kinds(scan_for_personal_data(sp.csr_matrix(matrix))) == ["mobile"]
    expected = ["resident_id"] if RESIDENT_ID.isdigit() else []
    assert kinds(scan_for_personal_data(ids)) == expected


def test_scan_reports_the_column_of_a_frame():
    frame = pd.DataFrame({"viewer": [1, 2], "note": ["ok", MOBILE]})

    (finding,) = scan_for_personal_data(frame, "training")

    assert finding.kind == "mobile"
    assert finding.location == "training.note[1]"


def test_ordinary_feature_values_raise_no_alarm():
    rng = np.random.default_rng(1)
    timestamps = 1.79e9 + rng.random(1000) * 1e6
    frame = pd.DataFrame({"timestamp": timestamps, "request_id": ["sim-3-41"] * 1000})

    assert scan_for_personal_data(rng.normal(size=(200, 64))) == []
    assert scan_for_personal_data(frame) == []


def test_redact_blanks_identity_data_and_keeps_the_rest():
    text = f"电话{MOBILE}，证件{RESIDENT_ID}，邮箱a.b@example.com，克重500克"

    cleaned = redact(text)

    assert scan_for_personal_data(cleaned) == []
    assert "克重500克" in cleaned
