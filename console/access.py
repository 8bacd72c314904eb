"""Who may see which page: one place for the console's and the portal's checks.

Anonymous visitors are sent to the login page; a signed-in user without the right
role gets 403, so that a missing permission is never mistaken for a missing login.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from console.roles import ROLES_BY_NAME, STAFF_ROLE_NAMES
from recengine.models import Viewer

View = Callable[..., HttpResponse]


def role_names(user: Any) -> set[str]:
    """Names of the declared roles the user holds, cached on the user object."""
    if not user.is_authenticated or not user.is_active:
        return set()
    cached = getattr(user, "_role_names", None)
    if cached is None:
        groups = user.groups.filter(name__in=ROLES_BY_NAME).values_list(
            "name", flat=True
        )
        cached = set(groups)
        user._role_names = cached
    return cached


def has_role(user: Any, *names: str) -> bool:
    return bool(role_names(user) & set(names))


def is_staff_member(user: Any) -> bool:
    """Superusers and holders of a staff role; the viewer role is not staff."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or bool(role_names(user) & STAFF_ROLE_NAMES)


def viewer_for(user: Any) -> Viewer | None:
    """The platform viewer linked to this account, if any."""
    if not user.is_authenticated or not user.is_active:
        return None
    return Viewer.objects.filter(user=user).first()


def _guard(check: Callable[[Any], bool]) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not check(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


staff_required = _guard(is_staff_member)


def role_required(*names: str) -> Callable[[View], View]:
    """Holders of any of the named roles, and superusers."""
    return _guard(lambda user: user.is_superuser or has_role(user, *names))


def permission_required(*perms: str) -> Callable[[View], View]:
    """Staff members holding every listed model permission."""
    return _guard(lambda user: is_staff_member(user) and user.has_perms(perms))


def viewer_required(view: View) -> View:
    """Portal pages: the signed-in user must be linked to a viewer; it is passed on."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        viewer = viewer_for(request.user)
        if viewer is None:
            raise PermissionDenied
        return view(request, viewer, *args, **kwargs)

    return wrapped


def landing_url_name(user: Any) -> str:
    """Where a user goes after signing in when no page was asked for."""
    if is_staff_member(user):
        return "console:home"
    if viewer_for(user) is not None:
        return "portal:home"
    return "console:home"
