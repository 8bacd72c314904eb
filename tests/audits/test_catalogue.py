"""The shipped clause catalogue against the standard's own text."""

from __future__ import annotations

import pytest

from audits.catalogue.obligation import Obligation, modal_words, obligation_of
from audits.catalogue.schema import DEFAULT_FILE, read_catalogue
from audits.metrics import DEFINITIONS
from audits.models import ObligationLevel
from tests.audits import standard_text

# The clauses the catalogue must hold, as the standard numbers them.
EXPECTED = (
    ["4.1", "4.2", "4.3", "4.4", "5.1"]
    + ["5.2.1", "5.2.2", "5.2.3", "5.3.1", "5.3.2", "5.3.3"]
    + ["5.4.1", "5.4.2", "5.4.3", "5.5"]
    + ["6.1.1", "6.1.2", "6.2.1", "6.2.2", "6.2.3", "6.3.1", "6.3.2", "6.3.3"]
    + ["6.4.1", "6.4.2", "6.4.3", "7.1", "7.2", "7.3", "7.4", "8.1"]
    + ["8.2.1", "8.2.2", "8.2.3"]
)

# Read off the standard by hand, independently of the keyword rules.
MUST = {"4.1", "4.4", "5.4.2", "6.1.1", "6.3.1", "6.4.1", "6.4.2", "7.1", "7.2"}
SHOULD = {"5.2.2"}
MAY = {"5.2.3", "8.2.3"}


@pytest.fixture(scope="module")
def catalogue():
    return read_catalogue(DEFAULT_FILE)


@pytest.fixture(scope="module")
def by_number(catalogue):
    return {clause.number: clause for clause in catalogue.clauses}


def test_the_reader_finds_every_numbered_clause_of_the_standard():
    assert list(standard_text.clauses()) == EXPECTED


def test_every_clause_is_in_the_catalogue_with_the_standards_text(by_number):
    for number, text in standard_text.clauses().items():
        assert number in by_number, f"clause {number} missing"
        assert standard_text.squeeze(by_number[number].text_zh) == (
            standard_text.squeeze(text)
        ), f"clause {number} differs from the standard"


def test_table_1_rows_are_children_of_clause_8_1(by_number):
    rows = [c for c in by_number.values() if c.kind == "table_row"]

    assert [row.parent for row in rows] == ["8.1"] * 4
    assert [row.text_zh.split("\t") for row in rows] == standard_text.table_rows()
    assert [row.title_zh for row in rows] == [
        "用户体验",
        "商业效率",
        "生态健康",
        "公平公正",
    ]


def test_parents_exist_and_every_requirement_is_assessed(catalogue, by_number):
    for clause in catalogue.clauses:
        if clause.parent:
            assert clause.parent in by_number
        if clause.kind != "heading":
            assert clause.checks or clause.attestations, clause.number
            assert clause.summary_en


def test_declared_obligations_match_the_hand_reading(by_number):
    for number in EXPECTED:
        expected = (
            "must"
            if number in MUST
            else "should"
            if number in SHOULD
            else "may"
            if number in MAY
            else "shall"
        )
        assert by_number[number].obligation == expected, number


def test_declared_obligations_match_the_modal_words_in_the_text(by_number):
    for number in EXPECTED:
        clause = by_number[number]
        assert obligation_of(clause.text_zh) == Obligation(clause.obligation), number


@pytest.mark.parametrize(
    ("text", "level", "words"),
    [
        ("平台应承担算法应用的主体责任", Obligation.SHALL, ["应"]),
        ("鼓励应用深度学习模型", Obligation.MAY, ["鼓励"]),
        ("核心推荐接口的响应时间", None, []),
        ("以满足直播场景的高动态性需求", None, []),
        ("系统需支持实时数据处理", Obligation.SHALL, ["需"]),
        ("必须建立协同的审核机制", Obligation.MUST, ["必须"]),
        ("应进行去标识化处理。严禁直接作为特征", Obligation.MUST, ["严禁", "应"]),
        ("宜提取主播的专业度", Obligation.SHOULD, ["宜"]),
        ("具备模块化、可扩展的架构", None, []),
        ("审核范围须覆盖全要素", Obligation.SHALL, ["须"]),
    ],
)
def test_modal_words_ignore_ordinary_words_sharing_a_character(text, level, words):
    assert obligation_of(text) == level
    assert modal_words(text) == words


def test_table_1_checks_name_defined_metrics(by_number):
    table_metrics = {
        check.metric
        for clause in by_number.values()
        if clause.kind == "table_row"
        for check in clause.checks
    }
    assert table_metrics - set(DEFINITIONS) == set()
    assert set(DEFINITIONS) - table_metrics == set()


def test_fairness_checks_use_the_four_fifths_band(by_number):
    fairness = by_number["8.1.T1.4"].checks
    ratios = [check for check in fairness if check.comparator == "between"]

    assert len(ratios) == 8
    assert {(c.threshold, c.threshold_high) for c in ratios} == {(0.8, 1.25)}
    assert {c.grouping for c in ratios} == {"viewer.spending_level", "viewer.region"}


def test_stored_levels_and_the_keyword_levels_are_the_same_set():
    assert {level.value for level in Obligation} == set(ObligationLevel.values)
