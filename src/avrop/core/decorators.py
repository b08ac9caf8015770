"""View helpers: require an active organisation, its kind and a role; turn domain errors into responses;
render the common form page."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from avrop.core.errors import DomainError, NotFound

if TYPE_CHECKING:
    from avrop.core.models import TenantModel


class TenantRequest(HttpRequest):
    """A request as the tenant middleware leaves it (the organisations app's, which core does not import):
    the active organisation, if any, and the user's roles there. For type annotations only."""

    organisation: TenantModel | None
    roles: frozenset[str]


def org_view(
    roles: Iterable[str] | None = None,
    *,
    organisation_test: Callable[[Any], bool] | None = None,
    hide_from_other_kinds: bool = False,
) -> Callable[..., Any]:
    """Decorate a view that works inside the active organisation.

    Unauthenticated users go to the login page; users without one of ``roles``, or in an organisation that
    fails ``organisation_test`` (its kind), get 403 with the roles they would need; ``NotFound`` from a
    selector becomes 404 (so ids of other tenants do not leak). With ``hide_from_other_kinds`` an
    organisation that fails ``organisation_test`` gets 404 instead: the page does not exist for it.
    """
    needed = frozenset(roles or ())

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: TenantRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if request.organisation is None:
                raise Http404("No organisation.")
            wrong_kind = organisation_test is not None and not organisation_test(request.organisation)
            if wrong_kind and hide_from_other_kinds:
                raise Http404()
            if (needed and not (request.roles & needed)) or wrong_kind:
                return render(request, "403.html", {"needed_roles": sorted(needed)}, status=403)
            try:
                return view(request, *args, **kwargs)
            except NotFound:
                raise Http404() from None
            except DomainError as exc:
                return render(request, "core/pages/error.html", {"error": exc}, status=exc.http_status)

        return wrapper

    return decorator


def _is_buyer(organisation: Any) -> bool:
    return bool(organisation.is_buyer)


def buyer_view(roles: Iterable[str] | None = None) -> Callable[..., Any]:
    """``org_view`` for pages of buyer organisations (and service centres): inside a supplier or service
    partner organisation they answer 404, whatever the role (a supplier's admin is not a buyer's admin, and
    a supplier learns nothing of a buyer's internal pages: coding, reviewers, findings)."""
    return org_view(roles, organisation_test=_is_buyer, hide_from_other_kinds=True)


def form_page(
    request: HttpRequest,
    form: Any,
    *,
    template: str,
    title: str,
    submit: str,
    cancel_url: str,
    intro: str = "",
    **extra: Any,
) -> HttpResponse:
    """Render a page with one form: 400 when the form has errors, so that a failed post is not a success."""
    context = {"form": form, "title": title, "submit": submit, "cancel_url": cancel_url, "intro": intro}
    return render(request, template, context | extra, status=400 if form.errors else 200)
