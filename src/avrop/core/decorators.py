"""View helpers: require an active organisation and a role; turn domain errors into responses."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from avrop.core.errors import DomainError, NotFound


def org_view(roles: Iterable[str] | None = None) -> Callable[..., Any]:
    """Decorate a view that works inside the active organisation.

    Unauthenticated users go to the login page; users without one of ``roles`` get 403 with the roles
    they would need; ``NotFound`` from a selector becomes 404 (so ids of other tenants do not leak).
    """
    needed = frozenset(roles or ())

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if request.organisation is None:
                raise Http404("No organisation.")
            if needed and not (request.roles & needed):
                return render(request, "403.html", {"needed_roles": sorted(needed)}, status=403)
            try:
                return view(request, *args, **kwargs)
            except NotFound:
                raise Http404() from None
            except DomainError as exc:
                return render(request, "core/pages/error.html", {"error": exc}, status=exc.http_status)

        return wrapper

    return decorator


def buyer_view(roles: Iterable[str] | None = None) -> Callable[..., Any]:
    """``org_view`` for pages of buyer organisations (and service centres): inside a supplier or service
    partner organisation they answer 403, whatever the role (a supplier's admin is not a buyer's admin)."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @org_view(roles=roles)
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.organisation.is_buyer:
                return render(request, "403.html", {"needed_roles": sorted(roles or ())}, status=403)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
