"""The load test's scenario mix: each simulated user logs in through the login form as one demo person
(``roles.py`` says which) and repeats that person's work, pausing 0.5–2.5 s between requests as people do.

- requisitioner (``load-req-N``, copies of the demo's ``requisitioner``): search, add two found items to
  the cart, open the cart, and every other round send it for approval;
- approver: the approval queue, a requisition, approve it;
- coordinator: the price lists, review one (its changes and findings);
- ap_clerk: the supplier-invoice queue, review an invoice;
- supplier_user (Lyreco's portal): the orders to answer, one order, accept it (order response); then the
  orders to invoice and flip one into an invoice draft.

Request names are ``scenario: step``; the figures are grouped by scenario. Several users in one role split
the shared work by id (``id % users_in_role``), so two of them never decide the same requisition at once.

Run by ``bench/load/run.py`` (``make load``), which prepares the database and starts the server. The
environment names the settings file written by ``prepare.py`` (AVROP_LOAD_CONFIG) and where the samples go
(AVROP_LOAD_SAMPLES).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from locust import HttpUser, between, events, task

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from load.roles import role_of  # noqa: E402

PASSWORD = "avrop-demo-2026"  # every demo user's password (README, Demo logins)
CONFIG: dict[str, Any] = json.loads(Path(os.environ["AVROP_LOAD_CONFIG"]).read_text())
SAMPLES: list[tuple[str, float, bool]] = []
ERRORS: list[str] = []
_numbers = itertools.count()

ITEM = re.compile(r'name="item" value="(\d+)"')
SUBMIT_KEY = re.compile(r'name="submit_key" value="([^"]+)"')
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@events.request.add_listener
def _record(name: str, response_time: float, exception: BaseException | None, **_kwargs: Any) -> None:
    SAMPLES.append((name.split(":")[0], response_time, exception is None))
    if exception is not None and len(ERRORS) < 50:
        ERRORS.append(f"{name}: {str(exception)[:300]}")


@events.quitting.add_listener
def _write(**_kwargs: Any) -> None:
    path = os.environ.get("AVROP_LOAD_SAMPLES")
    if path:
        Path(path).write_text(json.dumps({"samples": SAMPLES, "errors": ERRORS}))


def ids(pattern: str, text: str) -> list[int]:
    return sorted({int(found) for found in re.findall(pattern, text)})


class Person(HttpUser):
    wait_time = between(0.5, 2.5)

    def on_start(self) -> None:
        self.role, self.place = role_of(next(_numbers))
        self.share = max(1, CONFIG["roles"][self.role])
        self.random = random.Random(f"{self.role}-{self.place}")
        # A new connection per request, as from a reverse proxy: reusing one races gunicorn's 2 s keep-alive
        # (a pause of 0.5-2.5 s, then the server closes the connection the next request is sent on).
        self.client.headers["Connection"] = "close"
        username = f"load-req-{self.place}" if self.role == "requisitioner" else self.role
        self.login(username)
        self.steps: Iterator[None] = getattr(self, self.role)()

    @task
    def next_step(self) -> None:
        next(self.steps)

    # --- requests ----------------------------------------------------------------------------------------

    def login(self, username: str) -> None:
        page = self.client.get("/login/", name="login: page")
        token = CSRF_FIELD.search(page.text)
        with self.client.post(
            "/login/",
            data={
                "csrfmiddlewaretoken": token.group(1) if token else "",
                "username": username,
                "password": PASSWORD,
            },
            name="login: send",
            catch_response=True,
        ) as response:
            if 'name="password"' in response.text:
                response.failure(f"login as {username} failed")

    def get(self, path: str, name: str) -> str:
        return self.client.get(path, name=name).text

    def post(self, path: str, data: dict[str, str], name: str, *, htmx: bool = False) -> Any:
        headers = {"X-CSRFToken": self.client.cookies.get("csrftoken", ""), "Referer": f"{self.host}{path}"}
        if htmx:
            headers["HX-Request"] = "true"
        return self.client.post(path, data=data, headers=headers, name=name, catch_response=True)

    def mine(self, found: list[int]) -> list[int]:
        """The ids this user works on: its share of the role's work."""
        return [pk for pk in found if pk % self.share == self.place % self.share]

    # --- scenarios (each ``yield`` is one pause) -----------------------------------------------------------

    def requisitioner(self) -> Iterator[None]:
        terms = CONFIG["terms"]
        for round_ in itertools.count():
            text = self.get("/ordering/?q=" + self.random.choice(terms), "search: catalogue")
            found = ITEM.findall(text)
            yield
            for item in self.random.sample(found, min(2, len(found))):
                with self.post(
                    "/ordering/cart/add/", {"item": item, "quantity": "2"}, "cart: add", htmx=True
                ):
                    pass
                yield
            cart = self.get("/ordering/cart/", "cart: page")
            yield
            key = SUBMIT_KEY.search(cart)
            if round_ % 2 == 1 and key is not None:
                with self.post(
                    "/ordering/cart/send/", {"submit_key": key.group(1)}, "send: cart"
                ) as response:
                    if "submit_key" in response.text and response.url.rstrip("/").endswith("/cart"):
                        response.failure("the cart was not sent")
                yield

    def approver(self) -> Iterator[None]:
        while True:
            queue = self.get("/ordering/approvals/", "approve: queue")
            yield
            waiting = self.mine(ids(r"/ordering/approvals/(\d+)/", queue))
            if waiting:
                pk = waiting[0]
                self.get(f"/ordering/approvals/{pk}/", "approve: requisition")
                yield
                with self.post(
                    f"/ordering/approvals/{pk}/", {"decision": "approve", "comment": ""}, "approve: decide"
                ) as response:
                    if not response.url.rstrip("/").endswith("/approvals"):
                        response.failure(f"requisition {pk} was not approved")
                yield

    def coordinator(self) -> Iterator[None]:
        while True:
            lists = self.get("/catalogue/price-lists/", "price list review: list")
            yield
            found = ids(r"/catalogue/price-lists/(\d+)/", lists)
            if found:
                self.get(
                    f"/catalogue/price-lists/{self.random.choice(found)}/", "price list review: price list"
                )
                yield

    def ap_clerk(self) -> Iterator[None]:
        while True:
            queue = self.get("/payables/", "invoice review: queue")
            yield
            found = ids(r"/payables/(\d+)/", queue)
            if found:
                self.get(f"/payables/{self.random.choice(found)}/", "invoice review: invoice")
                yield

    def supplier_user(self) -> Iterator[None]:
        while True:
            inbox = self.get("/portal/orders/?tab=to_answer", "portal answer: orders")
            yield
            waiting = self.mine(ids(r"/portal/orders/(\d+)/", inbox))
            if waiting:
                pk = self.random.choice(waiting)  # some are answered by Peppol, not here
                order = self.get(f"/portal/orders/{pk}/", "portal answer: order")
                yield
                key = SUBMIT_KEY.search(order)
                if key is not None and f"/portal/orders/{pk}/respond/" in order:
                    with self.post(
                        f"/portal/orders/{pk}/respond/",
                        {"code": "AP", "note": "", "promised_delivery_date": "", "submit_key": key.group(1)},
                        "portal answer: accept",
                    ):
                        pass
                    yield
            to_invoice = self.get("/portal/invoices/orders/", "flip: orders")
            yield
            orders = self.mine(ids(r"/portal/invoices/orders/(\d+)/invoice/", to_invoice))
            if orders:
                with self.post(
                    f"/portal/invoices/orders/{self.random.choice(orders)}/invoice/",
                    {},
                    "flip: invoice draft",
                ) as response:
                    if "/portal/invoices/drafts/" not in response.url:
                        response.failure("no invoice draft")
                yield
