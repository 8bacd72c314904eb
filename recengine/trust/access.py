"""Permission-checked reads of trust & safety data, for the console and the API.

A caller is a person (model permissions of their role) or a service holding an API
key (scopes). Reads that fail the check raise ``PermissionDenied``; a missing
object raises ``Http404`` only after the permission check, so an outsider learns
nothing about which ids exist.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from recengine.models import ApiKey, ApiScope, Event, EventKind
from recengine.trust import keywords
from recengine.trust.models import (
    BlacklistEntry,
    EntryState,
    MerchantAppeal,
    MerchantCredit,
    PolicyVersion,
    QualityScore,
    ReregistrationCase,
    TargetKind,
    Violation,
)

VIEW = "trust.view_blacklistentry"
GOVERN = "trust.govern_trust"


def can_view(user, auth=None) -> bool:
    if isinstance(auth, ApiKey):
        return auth.allows(ApiScope.TRUST_READ) or auth.allows(ApiScope.TRUST_WRITE)
    return bool(user and user.is_authenticated and user.has_perm(VIEW))


def can_govern(user, auth=None) -> bool:
    if isinstance(auth, ApiKey):
        return auth.allows(ApiScope.TRUST_WRITE)
    return bool(user and user.is_authenticated and user.has_perm(GOVERN))


def require_view(user, auth=None) -> None:
    if not can_view(user, auth):
        raise PermissionDenied


def require_govern(user, auth=None) -> None:
    if not can_govern(user, auth):
        raise PermissionDenied


@dataclass(frozen=True)
class EntryFilter:
    query: str = ""
    kind: str = ""
    state: str = ""


def entries(user, filters: EntryFilter, auth=None) -> QuerySet[BlacklistEntry]:
    require_view(user, auth)
    rows = BlacklistEntry.objects.select_related(
        "anchor", "merchant", "product", "room", "created_by"
    )
    if filters.kind in TargetKind.values:
        rows = rows.filter(kind=filters.kind)
    if filters.state == "expired":
        rows = rows.exclude(state=EntryState.LIFTED).filter(
            expires_at__lte=timezone.now()
        )
    elif filters.state in EntryState.values:
        rows = rows.filter(state=filters.state)
    if filters.query.strip():
        rows = rows.filter(_matching(filters.query.strip()))
    return rows


def _matching(text: str) -> Q:
    found = Q(pattern__icontains=text) | Q(reason__icontains=text)
    for field, name in (
        ("anchor", "name"),
        ("merchant", "name"),
        ("product", "title"),
        ("room", "title"),
    ):
        found |= Q(**{f"{field}__external_id__icontains": text})
        found |= Q(**{f"{field}__{name}__icontains": text})
    return found


def entry(user, pk: int, auth=None) -> BlacklistEntry:
    require_view(user, auth)
    return get_object_or_404(
        BlacklistEntry.objects.select_related(
            "anchor", "merchant", "product", "room", "created_by"
        ),
        pk=pk,
    )


def entry_history(user, item: BlacklistEntry, auth=None):
    require_view(user, auth)
    return item.history.select_related("history_user").order_by("-history_date")


def cases(user, state: str = "", auth=None) -> QuerySet[ReregistrationCase]:
    require_view(user, auth)
    rows = ReregistrationCase.objects.select_related(
        "entry", "anchor", "merchant", "decided_by"
    )
    return rows.filter(state=state) if state else rows


def case(user, pk: int, auth=None) -> ReregistrationCase:
    require_view(user, auth)
    return get_object_or_404(ReregistrationCase, pk=pk)


def credit_rows(user, query: str = "", auth=None) -> QuerySet[MerchantCredit]:
    require_view(user, auth)
    rows = MerchantCredit.objects.select_related("merchant", "merchant__quality")
    if query.strip():
        rows = rows.filter(
            Q(merchant__external_id__icontains=query.strip())
            | Q(merchant__name__icontains=query.strip())
        )
    return rows


def violations(user, auth=None) -> QuerySet[Violation]:
    require_view(user, auth)
    return Violation.objects.select_related("merchant", "recorded_by")


def appeals(user, auth=None) -> QuerySet[MerchantAppeal]:
    require_view(user, auth)
    return MerchantAppeal.objects.select_related("merchant", "filed_by", "decided_by")


def appeal(user, pk: int, auth=None) -> MerchantAppeal:
    require_view(user, auth)
    return get_object_or_404(MerchantAppeal, pk=pk)


def quality_scores(user, auth=None) -> QuerySet[QualityScore]:
    require_view(user, auth)
    return QualityScore.objects.select_related("merchant")


def policy_versions(user, auth=None) -> QuerySet[PolicyVersion]:
    require_view(user, auth)
    return PolicyVersion.objects.select_related("published_by")


@dataclass(frozen=True)
class Impact:
    """Exposures of the last day an entry would have removed (a shadow run)."""

    exposures: int
    total: int
    rooms: int
    products: int
    since: dt.datetime

    @property
    def share(self) -> float:
        return self.exposures / self.total if self.total else 0.0


def preview_impact(
    user, kind: str, target=None, pattern: str = "", is_regex: bool = False, auth=None
) -> Impact:
    require_view(user, auth)
    now = timezone.now()
    since = now - dt.timedelta(days=1)
    shown = Event.objects.filter(
        kind=EventKind.IMPRESSION, occurred_at__gte=since, occurred_at__lt=now
    )
    condition = _exposed(kind, target, pattern, is_regex)
    hit = shown.filter(condition)
    return Impact(
        exposures=hit.count(),
        total=shown.count(),
        rooms=hit.exclude(room=None).values("room").distinct().count(),
        products=hit.exclude(product=None).values("product").distinct().count(),
        since=since,
    )


def _exposed(kind: str, target, pattern: str, is_regex: bool) -> Q:
    if kind == TargetKind.KEYWORD:
        rooms, products = keywords.match(pattern, is_regex=is_regex)
        return Q(room_id__in=rooms) | Q(product_id__in=products)
    if kind == TargetKind.ANCHOR:
        return Q(anchor_id=target.pk) | Q(room__anchor_id=target.pk)
    if kind == TargetKind.MERCHANT:
        return Q(room__merchant_id=target.pk) | Q(product__merchant_id=target.pk)
    if kind == TargetKind.PRODUCT:
        return Q(product_id=target.pk)
    return Q(room_id=target.pk)
