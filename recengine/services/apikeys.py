"""Issue and revoke the API keys with which platform services call the API.

Only a SHA-256 of the secret is stored. The caller receives ``<prefix>.<secret>``
once and must hand it to the service; nobody can read it back afterwards.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from recengine.api.auth import hash_secret
from recengine.models import ApiKey, ApiScope

logger = logging.getLogger(__name__)

PREFIX_BYTES = 5  # 10 hex characters, within ApiKey.prefix's 12
SECRET_BYTES = 32


class ApiKeyError(ValueError):
    """A request to issue or revoke a key that cannot be honoured."""


def _new_prefix() -> str:
    # A clash among 16^10 prefixes is unlikely but would make a key unusable.
    while True:
        prefix = secrets.token_hex(PREFIX_BYTES)
        if not ApiKey.objects.filter(prefix=prefix).exists():
            return prefix


def _checked_scopes(scopes: Iterable[str]) -> list[str]:
    chosen = sorted(set(scopes))
    if not chosen:
        raise ApiKeyError("An API key needs at least one scope.")
    unknown = set(chosen) - set(ApiScope.values)
    if unknown:
        raise ApiKeyError(f"Unknown scopes: {', '.join(sorted(unknown))}.")
    return chosen


@transaction.atomic
def issue_api_key(*, actor, name: str, scopes: Iterable[str]) -> tuple[ApiKey, str]:
    """Create a key and return it with the full token, which is never stored."""
    name = name.strip()
    if not name:
        raise ApiKeyError("An API key needs a name.")
    chosen = _checked_scopes(scopes)

    prefix = _new_prefix()
    secret = secrets.token_urlsafe(SECRET_BYTES)
    key = ApiKey(
        name=name,
        prefix=prefix,
        key_hash=hash_secret(secret),
        scopes=chosen,
        created_by=actor,
        created_at=timezone.now(),
    )
    key._history_user = actor
    key._change_reason = f"issued with scopes {', '.join(chosen)}"
    key.save()

    logger.info(
        "API key issued",
        extra={"api_key": key.pk, "prefix": prefix, "actor": actor.pk},
    )
    return key, f"{prefix}.{secret}"


@transaction.atomic
def revoke_api_key(*, actor, key: ApiKey, reason: str) -> ApiKey:
    """Revoke a key at once; every later request with it is refused."""
    reason = reason.strip()
    if not reason:
        raise ApiKeyError("Revoking an API key needs a reason.")

    # Lock the row so two administrators revoking at once record one revocation.
    locked = ApiKey.objects.select_for_update().get(pk=key.pk)
    if locked.revoked_at is not None:
        raise ApiKeyError("This API key is already revoked.")

    locked.revoked_at = timezone.now()
    locked.revoked_by = actor
    locked._history_user = actor
    locked._change_reason = f"revoked: {reason}"
    locked.save()

    logger.info(
        "API key revoked",
        extra={"api_key": locked.pk, "prefix": locked.prefix, "actor": actor.pk},
    )
    return locked
