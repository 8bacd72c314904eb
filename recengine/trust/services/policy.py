"""The periodic refresh: recompile keyword entries and record expiries.

Serving already stops applying an expired entry on time (the snapshot carries the
moment its next entry starts or expires). This refresh records that moment as a
policy version, and re-matches keyword entries so that rooms and products created
since an entry was added are caught.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from recengine.governance.publishing import publish_policy
from recengine.trust import keywords
from recengine.trust.models import (
    BlacklistEntry,
    Clause,
    EntryState,
    PolicyVersion,
    TargetKind,
)

logger = logging.getLogger(__name__)


@transaction.atomic
def refresh_policy(*, actor=None) -> int | None:
    """Publish a version when keyword matches changed or entries started or expired
    since the last version; returns the new version, or None."""
    now = timezone.now()
    changed = _recompile(now)
    last = PolicyVersion.objects.order_by("-version").first()
    since = last.published_at if last else None
    moved = since is not None and (
        BlacklistEntry.objects.exclude(state=EntryState.LIFTED)
        .filter(
            Q(expires_at__gt=since, expires_at__lte=now)
            | Q(starts_at__gt=since, starts_at__lte=now)
        )
        .exists()
    )
    if not changed and not moved:
        return None
    reason = f"refresh: {changed} keyword entries re-matched, expiry or start: {moved}"
    return publish_policy(actor=actor, reason=reason, clause=Clause.BLACKLIST)


def _recompile(now) -> int:
    changed = 0
    entries = BlacklistEntry.objects.filter(kind=TargetKind.KEYWORD).exclude(
        state=EntryState.LIFTED
    )
    for entry in entries.select_for_update():
        rooms, products = keywords.match(entry.pattern, is_regex=entry.is_regex)
        if rooms == entry.matched_rooms and products == entry.matched_products:
            continue
        # Matches are derived data, excluded from the history: a plain update.
        BlacklistEntry.objects.filter(pk=entry.pk).update(
            matched_rooms=rooms, matched_products=products, compiled_at=now
        )
        changed += 1
    return changed
