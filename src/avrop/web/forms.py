from __future__ import annotations

from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    """The standard login form with one generic message: it never tells which of the two was wrong."""

    error_messages = {
        "invalid_login": _("Wrong user name or password. Note that both fields are case-sensitive."),
        "inactive": _("Wrong user name or password. Note that both fields are case-sensitive."),
    }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["username"].widget.attrs.update({"autocomplete": "username"})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})
