"""Merchant credit (6.2.2) and quality (6.2.1): import, restrict, violations, appeals.

Each action writes history and publishes a policy version in one transaction.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import transaction
from django.utils import timezone

from recengine.governance.publishing import publish_policy
from recengine.history import person
from recengine.models import Merchant
from recengine.services.rows import BatchRejected, RowError
from recengine.trust import credit
from recengine.trust.models import (
    AppealState,
    Clause,
    MerchantAppeal,
    MerchantCredit,
    Violation,
    ViolationKind,
)
from recengine.trust.services.blacklist import MAX_TEXT, TrustError, _save

logger = logging.getLogger(__name__)

MAX_CREDIT_ROWS = 5000
CREDIT_COLUMNS = ("merchant", "score", "orders", "complaints", "returns")


@transaction.atomic
def import_credit(*, actor, rows: list[dict[str, Any]], source: str) -> int:
    """Credit supervision data, all rows or none; returns the rows written.

    Each row has ``merchant`` (external id) and ``score`` (0-100), optionally
    ``orders``, ``complaints`` and ``returns``. Values may be numbers or the text
    of a CSV cell.
    """
    cleaned, errors = _clean_credit(rows)
    if errors:
        raise BatchRejected(errors)

    now = timezone.now()
    for row in cleaned:
        _write_credit(actor, row, source.strip()[:120], now)
    publish_policy(
        actor=actor,
        reason=f"credit import of {len(cleaned)} merchants from {source}"[:500],
        clause=Clause.CREDIT,
    )
    logger.info("credit imported", extra={"rows": len(cleaned), "source": source})
    return len(cleaned)


def _clean_credit(rows) -> tuple[list[dict], list[RowError]]:
    if not isinstance(rows, list) or not rows:
        return [], [RowError(-1, "rows", "the import holds no row")]
    if len(rows) > MAX_CREDIT_ROWS:
        return [], [RowError(-1, "rows", f"at most {MAX_CREDIT_ROWS} rows")]
    wanted = {str(row.get("merchant", "")).strip() for row in rows if _is_row(row)}
    merchants = dict(
        Merchant.objects.filter(external_id__in=wanted).values_list("external_id", "pk")
    )
    cleaned, errors, seen = [], [], {}
    for index, row in enumerate(rows):
        if not _is_row(row):
            errors.append(RowError(index, "", "must be an object"))
            continue
        cleaned.append(_clean_credit_row(index, row, merchants, seen, errors))
    return cleaned, errors


def _is_row(row) -> bool:
    return isinstance(row, dict)


def _clean_credit_row(index, row, merchants, seen, errors) -> dict:
    errors += [
        RowError(index, key, "unknown column")
        for key in row
        if key not in CREDIT_COLUMNS
    ]
    external = str(row.get("merchant") or "").strip()
    if external not in merchants:
        errors.append(RowError(index, "merchant", f"unknown merchant {external!r}"))
    elif external in seen:
        errors.append(RowError(index, "merchant", f"repeats row {seen[external]}"))
    seen.setdefault(external, index)
    values = {"merchant": merchants.get(external)}
    values["score"] = _number(index, row, "score", errors, maximum=100, required=True)
    for name in ("orders", "complaints", "returns"):
        values[name] = int(_number(index, row, name, errors, whole=True) or 0)
    return values


def _number(index, row, name, errors, *, maximum=None, required=False, whole=False):
    raw = row.get(name)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if required:
            errors.append(RowError(index, name, "is required"))
        return None
    try:
        value = float(raw) if not isinstance(raw, bool) else None
    except (TypeError, ValueError):
        value = None
    if value is None or value != value or value < 0:
        errors.append(RowError(index, name, "must be a number of at least 0"))
        return None
    if maximum is not None and value > maximum:
        errors.append(RowError(index, name, f"must be at most {maximum}"))
        return None
    if whole and value != int(value):
        errors.append(RowError(index, name, "must be a whole number"))
        return None
    return value


def _write_credit(actor, row: dict, source: str, now: dt.datetime) -> MerchantCredit:
    record = MerchantCredit.objects.filter(merchant_id=row["merchant"]).first()
    if record is None:
        record = MerchantCredit(merchant_id=row["merchant"])
    record.score = row["score"]
    record.tier = credit.tier_for(row["score"])
    record.orders, record.complaints, record.returns = (
        row["orders"],
        row["complaints"],
        row["returns"],
    )
    record.source = source
    record.updated_at = now
    _save(record, actor, f"6.2.2 credit {record.score:g} ({record.tier}) from {source}")
    return record


@transaction.atomic
def set_restriction(
    *, actor, merchant: Merchant, restricted: bool, reason: str
) -> MerchantCredit:
    """Stop (or resume) recommending a merchant's rooms and products."""
    _require_reason(reason)
    record = (
        MerchantCredit.objects.select_for_update().filter(merchant=merchant).first()
    )
    if record is None:
        record = MerchantCredit(
            merchant=merchant, score=100.0, tier=credit.tier_for(100.0)
        )
    if record.pk and record.restricted == restricted:
        raise TrustError("the merchant is already in that state")

    record.restricted = restricted
    record.updated_at = timezone.now()
    word = "restricted" if restricted else "restriction lifted"
    _save(record, actor, f"6.2.2 {word}: {reason.strip()}")
    publish_policy(
        actor=actor, reason=f"merchant {merchant.pk} {word}", clause=Clause.CREDIT
    )
    return record


@transaction.atomic
def record_violation(
    *,
    actor,
    merchant: Merchant,
    kind: str,
    occurred_on: dt.date,
    description: str,
    source: str = "",
) -> Violation:
    """A dishonest act on record; it lowers the merchant's quality score."""
    if kind not in ViolationKind.values:
        raise TrustError(f"unknown violation kind {kind!r}")
    if not description.strip():
        raise TrustError("a description is required")
    if occurred_on > timezone.localdate():
        raise TrustError("a violation cannot lie in the future")

    violation = Violation(
        merchant=merchant,
        kind=kind,
        occurred_on=occurred_on,
        description=description.strip(),
        source=source.strip()[:120],
        recorded_by=person(actor),
        recorded_at=timezone.now(),
    )
    _save(violation, actor, f"6.2.2 violation recorded: {kind}")
    return violation


@transaction.atomic
def file_appeal(
    *,
    actor,
    merchant: Merchant,
    statement: str,
    requested_score: float | None = None,
) -> MerchantAppeal:
    """Record a merchant's appeal against its credit or restriction."""
    if not statement.strip():
        raise TrustError("the appeal needs a statement")
    if requested_score is not None and not 0 <= requested_score <= 100:
        raise TrustError("a credit score lies between 0 and 100")
    appeal = MerchantAppeal(
        merchant=merchant,
        statement=statement.strip(),
        requested_score=requested_score,
        filed_by=person(actor),
        filed_at=timezone.now(),
    )
    _save(appeal, actor, "6.2.2 appeal filed")
    return appeal


@transaction.atomic
def decide_appeal(
    *, actor, appeal: MerchantAppeal, uphold: bool, reason: str
) -> MerchantAppeal:
    """Uphold (restore the requested score, lift a restriction) or reject."""
    appeal = MerchantAppeal.objects.select_for_update().get(pk=appeal.pk)
    _require_reason(reason)
    if appeal.state != AppealState.PENDING:
        raise TrustError("this appeal was already decided")
    if person(actor) is None or appeal.filed_by_id == actor.pk:
        raise TrustError("an appeal must be decided by someone other than its filer")

    appeal.state = AppealState.UPHELD if uphold else AppealState.REJECTED
    appeal.decided_by = actor
    appeal.decided_at = timezone.now()
    appeal.decision_reason = reason.strip()
    _save(appeal, actor, f"6.2.2 appeal {appeal.state}: {appeal.decision_reason}")
    if uphold:
        _restore(actor, appeal)
    return appeal


def _restore(actor, appeal: MerchantAppeal) -> None:
    record = MerchantCredit.objects.filter(merchant=appeal.merchant).first()
    if record is None:
        return
    if appeal.requested_score is not None:
        record.score = appeal.requested_score
        record.tier = credit.tier_for(appeal.requested_score)
    record.restricted = False
    record.updated_at = timezone.now()
    _save(record, actor, f"6.2.2 restored by appeal {appeal.pk}")
    publish_policy(
        actor=actor, reason=f"appeal {appeal.pk} upheld", clause=Clause.CREDIT
    )


def _require_reason(reason: str) -> None:
    if not reason.strip():
        raise TrustError("a reason is required")
    if len(reason) > MAX_TEXT:
        raise TrustError(f"the reason is longer than {MAX_TEXT} characters")
