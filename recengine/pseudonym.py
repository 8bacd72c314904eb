"""Keyed pseudonyms for viewers (clause 7.2, GB/T 37964 de-identification)."""

import hashlib
import hmac

from django.conf import settings


def pseudonym_for(platform_user_id: str) -> str:
    """HMAC-SHA256 of the platform's user id; irreversible without the key."""
    key = settings.PSEUDONYM_KEY.encode()
    return hmac.new(key, str(platform_user_id).encode(), hashlib.sha256).hexdigest()
