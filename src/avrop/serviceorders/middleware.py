"""German for the service partner's people (decision 0017).

``settings.LANGUAGES`` stays Swedish and English: models elsewhere take their choices from it (a user's
language, a customer's invoice language), and a German customer invoice or order page does not exist. For a
member of a service-partner organisation who chose German (the language cookie says ``de``) this middleware
activates German after Django's ``LocaleMiddleware`` fell back to Swedish, so every page that partner sees —
the work queue and the shared layout — is in German."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

PARTNER_LANGUAGES = (("de", "Deutsch"),)
PARTNER_LANGUAGE_CODES = frozenset(code for code, _name in PARTNER_LANGUAGES)


def partner_language(request: HttpRequest) -> str | None:
    """The partner language chosen by a member of a service-partner organisation, if any."""
    organisation = getattr(request, "organisation", None)
    if getattr(organisation, "kind", "") != "service_partner":
        return None
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    return chosen if chosen in PARTNER_LANGUAGE_CODES else None


class PartnerLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = partner_language(request)
        if language is None:
            return self.get_response(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        response.headers["Content-Language"] = language
        return response
