"""The password change page and the answer to a throttled login."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.views import PasswordChangeView
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse_lazy

from luoshi.accounts.services import change_password


class ChangePasswordView(PasswordChangeView):
    """Every signed-in user changes his own password here (linked from the navigation bar)."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        change_password(form.user, form.cleaned_data["new_password1"])
        update_session_auth_hash(self.request, form.user)  # this session stays; the others end
        messages.success(self.request, "密码已修改。")
        return HttpResponseRedirect(str(self.get_success_url()))


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """django-axes' answer once an account or a client has failed too often (AXES_LOCKOUT_CALLABLE)."""
    minutes = settings.LUOSHI_LOGIN_LOCKOUT_MINUTES
    return render(request, "accounts/locked_out.html", {"minutes": minutes}, status=429)
