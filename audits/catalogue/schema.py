"""Reading and validating a clause catalogue file.

A catalogue is a YAML document (see ``tcmbn-1.1.yaml``). ``parse_catalogue`` turns
it into plain dataclasses or raises ``CatalogueError`` listing every problem found,
each prefixed by where it is (``clauses[12].checks[0].threshold``), so that the
person editing the file can fix them all in one pass.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from audits.catalogue.obligation import Obligation, obligation_of

SCHEMA = 1
DEFAULT_FILE = Path(__file__).resolve().parent / "tcmbn-1.1.yaml"

KINDS = ("heading", "clause", "table_row")
COMPARATORS = (">=", "<=", "==", "between", "report")
SEVERITIES = ("critical", "high", "medium", "low", "info")
GROUPINGS = (
    "none",
    "viewer.spending_level",
    "viewer.region",
    "merchant",
    "anchor",
    "category",
    "queue",
)
NUMBER = re.compile(r"^\d+(\.\d+)*(\.T\d+\.\d+)?$")
IDENTIFIER = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
METRIC = re.compile(r"^[a-z_]+(\.[a-z0-9_]+)+$")


class CatalogueError(ValueError):
    """The file is not a valid catalogue; ``problems`` says every reason."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass(frozen=True)
class CheckSpec:
    id: str
    title_zh: str
    title_en: str
    metric: str
    grouping: str
    comparator: str
    threshold: float | None
    threshold_high: float | None
    window_days: int
    min_sample: int
    severity: str
    evidence: list[str]
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AttestationSpec:
    id: str
    evidence_zh: str
    evidence_en: str


@dataclass(frozen=True)
class ClauseSpec:
    number: str
    kind: str
    parent: str | None
    title_zh: str
    title_en: str
    text_zh: str
    summary_en: str
    obligation: str
    checks: list[CheckSpec]
    attestations: list[AttestationSpec]


@dataclass(frozen=True)
class Catalogue:
    version: str
    standard_code: str
    sha256: str
    clauses: list[ClauseSpec]


def read_catalogue(path: Path) -> Catalogue:
    return parse_catalogue(path.read_bytes())


def parse_catalogue(content: bytes) -> Catalogue:
    try:
        document = yaml.safe_load(content)
    except yaml.YAMLError as error:
        raise CatalogueError([f"not valid YAML: {error}"]) from error
    if not isinstance(document, dict):
        raise CatalogueError(["the file must hold a mapping at its top level"])

    problems: list[str] = []
    version = _text(document, "version", "", problems)
    standard = document.get("standard")
    code = _text(standard, "code", "standard", problems) if standard else ""
    if not standard:
        problems.append("standard: missing")
    if document.get("schema") != SCHEMA:
        problems.append(f"schema: must be {SCHEMA}")

    clauses = _clauses(document.get("clauses"), problems)
    if problems:
        raise CatalogueError(problems)
    digest = hashlib.sha256(content).hexdigest()
    return Catalogue(
        version=version, standard_code=code, sha256=digest, clauses=clauses
    )


def _clauses(raw: Any, problems: list[str]) -> list[ClauseSpec]:
    if not isinstance(raw, list) or not raw:
        problems.append("clauses: must be a non-empty list")
        return []
    clauses = [
        _clause(item, f"clauses[{index}]", problems) for index, item in enumerate(raw)
    ]
    clauses = [clause for clause in clauses if clause is not None]
    _check_tree(clauses, problems)
    _check_unique_ids(clauses, problems)
    return clauses


def _clause(raw: Any, where: str, problems: list[str]) -> ClauseSpec | None:
    if not isinstance(raw, dict):
        problems.append(f"{where}: must be a mapping")
        return None
    number = _text(raw, "number", where, problems)
    where = f"{where} ({number})" if number else where
    if number and not NUMBER.match(number):
        problems.append(f"{where}.number: {number!r} is not a clause number")
    kind = raw.get("kind", "clause")
    if kind not in KINDS:
        problems.append(f"{where}.kind: must be one of {', '.join(KINDS)}")
        return None
    if kind == "heading":
        return _heading(raw, number, where, problems)
    return _requirement(raw, number, kind, where, problems)


def _heading(raw: dict, number: str, where: str, problems: list[str]) -> ClauseSpec:
    for key in ("text_zh", "obligation", "checks", "attestations"):
        if key in raw:
            problems.append(f"{where}.{key}: a heading holds no requirement")
    return ClauseSpec(
        number=number,
        kind="heading",
        parent=raw.get("parent"),
        title_zh=_text(raw, "title_zh", where, problems),
        title_en=_text(raw, "title_en", where, problems),
        text_zh="",
        summary_en="",
        obligation="",
        checks=[],
        attestations=[],
    )


def _requirement(
    raw: dict, number: str, kind: str, where: str, problems: list[str]
) -> ClauseSpec:
    text = _text(raw, "text_zh", where, problems)
    obligation = _obligation(raw, text, kind, where, problems)
    checks = [
        _check(item, f"{where}.checks[{index}]", problems)
        for index, item in enumerate(raw.get("checks") or [])
    ]
    attestations = [
        _attestation(item, f"{where}.attestations[{index}]", problems)
        for index, item in enumerate(raw.get("attestations") or [])
    ]
    if not checks and not attestations:
        problems.append(f"{where}: needs at least one check or attestation")

    return ClauseSpec(
        number=number,
        kind=kind,
        parent=raw.get("parent"),
        title_zh=str(raw.get("title_zh") or ""),
        title_en=str(raw.get("title_en") or ""),
        text_zh=text,
        summary_en=" ".join(_text(raw, "summary_en", where, problems).split()),
        obligation=obligation,
        checks=[check for check in checks if check is not None],
        attestations=[item for item in attestations if item is not None],
    )


def _obligation(
    raw: dict, text: str, kind: str, where: str, problems: list[str]
) -> str:
    declared = raw.get("obligation")
    if declared not in {level.value for level in Obligation}:
        problems.append(f"{where}.obligation: must be must, shall, should or may")
        return ""
    worded = obligation_of(text)
    # A table row has no modal word of its own: it inherits clause 8.1's level.
    if kind == "table_row" and worded is None:
        return declared
    if worded is None or worded.value != declared:
        found = worded.value if worded else "no modal word"
        problems.append(
            f"{where}.obligation: declared {declared} but the wording says {found}"
        )
    return declared


def _check(raw: Any, where: str, problems: list[str]) -> CheckSpec | None:
    if not isinstance(raw, dict):
        problems.append(f"{where}: must be a mapping")
        return None
    before = len(problems)
    check_id = _text(raw, "id", where, problems)
    if check_id and not IDENTIFIER.match(check_id):
        problems.append(f"{where}.id: {check_id!r} must be lower-case words and dashes")
    metric = _text(raw, "metric", where, problems)
    if metric and not METRIC.match(metric):
        problems.append(f"{where}.metric: {metric!r} must be a dotted metric name")
    _choice(raw, "grouping", GROUPINGS, where, problems)
    _choice(raw, "comparator", COMPARATORS, where, problems)
    _choice(raw, "severity", SEVERITIES, where, problems)
    low, high = _threshold(raw, where, problems)
    window = _whole(raw, "window_days", where, problems)
    sample = _whole(raw, "min_sample", where, problems)
    evidence = raw.get("evidence")
    if not isinstance(evidence, list) or not evidence:
        problems.append(f"{where}.evidence: must list the evidence the check yields")
    params = raw.get("params") or {}
    if not isinstance(params, dict):
        problems.append(f"{where}.params: must be a mapping")
    if len(problems) > before:
        return None

    return CheckSpec(
        id=check_id,
        title_zh=_text(raw, "title_zh", where, problems),
        title_en=_text(raw, "title_en", where, problems),
        metric=metric,
        grouping=raw["grouping"],
        comparator=raw["comparator"],
        threshold=low,
        threshold_high=high,
        window_days=window,
        min_sample=sample,
        severity=raw["severity"],
        evidence=[str(item) for item in evidence],
        params=params,
    )


def _threshold(
    raw: dict, where: str, problems: list[str]
) -> tuple[float | None, float | None]:
    comparator, value = raw.get("comparator"), raw.get("threshold", "missing")
    if comparator == "report":
        if value is not None:
            problems.append(f"{where}.threshold: a reported metric has no threshold")
        return None, None
    if comparator == "between":
        if not (isinstance(value, list) and len(value) == 2 and _all_numbers(value)):
            problems.append(f"{where}.threshold: 'between' needs [low, high]")
            return None, None
        if value[0] > value[1]:
            problems.append(f"{where}.threshold: low is above high")
        return float(value[0]), float(value[1])
    if not _all_numbers([value]):
        problems.append(f"{where}.threshold: must be a number")
        return None, None
    return float(value), None


def _attestation(raw: Any, where: str, problems: list[str]) -> AttestationSpec | None:
    if not isinstance(raw, dict):
        problems.append(f"{where}: must be a mapping")
        return None
    item_id = _text(raw, "id", where, problems)
    if item_id and not IDENTIFIER.match(item_id):
        problems.append(f"{where}.id: {item_id!r} must be lower-case words and dashes")
    return AttestationSpec(
        id=item_id,
        evidence_zh=_text(raw, "evidence_zh", where, problems),
        evidence_en=_text(raw, "evidence_en", where, problems),
    )


def _check_tree(clauses: list[ClauseSpec], problems: list[str]) -> None:
    by_number: dict[str, ClauseSpec] = {}
    for clause in clauses:
        if clause.number in by_number:
            problems.append(f"clause {clause.number}: listed twice")
        by_number[clause.number] = clause

    for clause in clauses:
        if clause.parent is None:
            continue
        parent = by_number.get(clause.parent)
        if parent is None or clauses.index(parent) > clauses.index(clause):
            problems.append(
                f"clause {clause.number}: parent {clause.parent} must come before it"
            )
            continue
        if clause.kind == "table_row" and clause.obligation != parent.obligation:
            problems.append(
                f"clause {clause.number}: a table row carries its clause's obligation"
            )


def _check_unique_ids(clauses: list[ClauseSpec], problems: list[str]) -> None:
    for label, ids in (
        ("check", [check.id for clause in clauses for check in clause.checks]),
        (
            "attestation",
            [item.id for clause in clauses for item in clause.attestations],
        ),
    ):
        twice = sorted({item for item in ids if ids.count(item) > 1})
        problems += [f"{label} id {item!r}: used more than once" for item in twice]


def _text(raw: Any, key: str, where: str, problems: list[str]) -> str:
    value = raw.get(key) if isinstance(raw, dict) else None
    if not isinstance(value, str | int | float) or not str(value).strip():
        problems.append(f"{where + '.' if where else ''}{key}: missing or empty")
        return ""
    return str(value)


def _choice(
    raw: dict, key: str, allowed: tuple[str, ...], where: str, problems: list[str]
) -> None:
    if raw.get(key) not in allowed:
        problems.append(f"{where}.{key}: must be one of {', '.join(allowed)}")


def _whole(raw: dict, key: str, where: str, problems: list[str]) -> int:
    value = raw.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        problems.append(f"{where}.{key}: must be a whole number of at least 1")
        return 0
    return value


def _all_numbers(values: list[Any]) -> bool:
    return all(
        isinstance(value, int | float) and not isinstance(value, bool)
        for value in values
    )
