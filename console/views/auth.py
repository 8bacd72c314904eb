"""Sign-in, sign-out and password change, on Django's views with our templates."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse, reverse_lazy

from console.access import landing_url_name
from console.forms import ThrottledAuthenticationForm


class LoginView(auth_views.LoginView):
    authentication_form = ThrottledAuthenticationForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        # Viewers land in their portal, staff in the console.
        return reverse(landing_url_name(self.request.user))


class LogoutView(auth_views.LogoutView):
    """POST only, as Django has it: a link on another site cannot sign anyone out."""

    next_page = reverse_lazy("console:login")


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change.html"
    success_url = reverse_lazy("console:password_change_done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "registration/password_change_done.html"


def root(request: HttpRequest) -> HttpResponse:
    """The site's front door: the console, the portal, or the login page."""
    if not request.user.is_authenticated:
        return redirect("console:login")
    return redirect(landing_url_name(request.user))
