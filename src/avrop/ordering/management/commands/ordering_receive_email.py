"""Take in a supplier's e-mailed order confirmation from standard input (an MTA pipe or a mail fetcher):

avrop ordering_receive_email < message.eml
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand

from avrop.ordering.services import order_confirmation_email_receive


class Command(BaseCommand):
    help = "Read one e-mail (RFC 5322) from standard input and register it as an order confirmation."

    def handle(self, *args: Any, **options: Any) -> None:
        raw = sys.stdin.buffer.read()
        response = order_confirmation_email_receive(raw=raw)
        self.stdout.write(f"{response.outcome} {response.order_number or '-'}")
