"""Scoped API keys for platform services.

A service sends ``Authorization: Api-Key <prefix>.<secret>``.
"""

from __future__ import annotations

import hashlib
import hmac

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from rest_framework import authentication, exceptions, permissions

from recengine.markers import MarkedCache
from recengine.models import ApiKey

KEYWORD = "Api-Key"

# Every API call needs its key's row: kept in process, dropped in every process
# when any key is saved or deleted (``recengine.signals``).
KEYS = MarkedCache("auth:api-keys", seconds=60.0, max_entries=10_000)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class ServiceUser(AnonymousUser):
    """The caller behind an API key: authenticated, but not a person."""

    def __init__(self, key: ApiKey):
        super().__init__()
        self.api_key = key

    @property
    def is_authenticated(self) -> bool:
        return True

    def __str__(self) -> str:
        return f"api-key:{self.api_key.prefix}"


class ApiKeyAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode(
            errors="replace"
        )
        if not header.startswith(KEYWORD + " "):
            return None

        prefix, _, secret = header[len(KEYWORD) + 1 :].strip().partition(".")
        key = KEYS.get(prefix, lambda: ApiKey.objects.filter(prefix=prefix).first())
        if key is None or not hmac.compare_digest(key.key_hash, hash_secret(secret)):
            raise exceptions.AuthenticationFailed("Invalid API key.")
        if not key.is_active:
            raise exceptions.AuthenticationFailed("This API key has been revoked.")

        # Touching last_used_at at most once a minute keeps hot keys off the write path.
        now = timezone.now()
        if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 60:
            ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
            key.last_used_at = now
        return ServiceUser(key), key

    def authenticate_header(self, request) -> str:
        return KEYWORD


class HasScope(permissions.BasePermission):
    """An API key needs the view's ``required_scope``; a person needs a permission."""

    message = "This API key lacks the scope this endpoint needs."

    def has_permission(self, request, view) -> bool:
        scope = getattr(view, "required_scope", None)
        key = request.auth if isinstance(request.auth, ApiKey) else None
        if key is not None:
            return scope is not None and key.allows(scope)
        perm = getattr(view, "staff_permission", None)
        user = request.user
        return bool(user and user.is_authenticated and perm and user.has_perm(perm))
