"""The JSON API (Django Ninja): token authentication and the routers of every app.

Each app that offers an API has ``api.py`` with a ``router``, mounted here at ``/api/<app label>/``. Requests
carry ``Authorization: Bearer <token>``; a token acts as one user inside one organisation
(``avrop.core.tokens``), so every endpoint calls the same scoped selectors and services as the web pages.
Domain errors become 4xx responses with their stable code.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.security import HttpBearer

from avrop.agreements import api as agreements_api
from avrop.cases import api as cases_api
from avrop.catalogue import api as catalogue_api
from avrop.core.errors import DomainError
from avrop.core.models import ApiToken
from avrop.core.tokens import api_token_authenticate
from avrop.ordering import api as ordering_api
from avrop.organisations import api as organisations_api
from avrop.payables import api as payables_api
from avrop.suppliers import api as suppliers_api


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        found = api_token_authenticate(key=token)
        if found is None:
            return None
        api_token, roles = found
        request.user = api_token.user
        request.organisation = api_token.organisation  # type: ignore[attr-defined]
        request.roles = roles  # type: ignore[attr-defined]
        return api_token


api = NinjaAPI(
    title="avrop API",
    version="1",
    description="Scoped JSON API of avrop. Authenticate with `Authorization: Bearer <token>`.",
    auth=TokenAuth(),
    urls_namespace="api",
)


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return api.create_response(
        request, {"code": exc.code, "message": exc.message, "field": exc.field}, status=exc.http_status
    )


# In INSTALLED_APPS order; web/tests/test_composition.py fails when an app's router is missing here.
ROUTERS = {
    "organisations": organisations_api.router,
    "suppliers": suppliers_api.router,
    "agreements": agreements_api.router,
    "cases": cases_api.router,
    "catalogue": catalogue_api.router,
    "payables": payables_api.router,
    "ordering": ordering_api.router,
}
for _label, _router in ROUTERS.items():
    api.add_router(f"/{_label}/", _router)
