"""Small helpers shared by the views of this app."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from avrop.core.errors import DomainError, NotFound
from avrop.organisations.forms import add_domain_error
from avrop.organisations.roles import MASTER_DATA_ROLES

MASTER = sorted(MASTER_DATA_ROLES)


def submit(form: forms.BaseForm, call: Callable[[], Any]) -> Any | None:
    """Run a service for a valid form; its domain error lands on the named field. None when it failed."""
    if not form.is_valid():
        return None
    try:
        return call()
    except NotFound:
        raise
    except DomainError as exc:
        add_domain_error(form, exc)
        return None


def act(request: HttpRequest, call: Callable[[], Any], success: str, target: str) -> HttpResponse:
    """For plain POST buttons: run the service, flash its outcome, go back to ``target``."""
    try:
        call()
    except NotFound:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return redirect(target)


def invalid_form(request: HttpRequest, form: forms.Form, target: str) -> HttpResponse:
    """A small inline form (a button with a select) came back invalid: say why on the page it came from."""
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else str(error))
    return redirect(target)
