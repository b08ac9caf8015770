from typing import TextIO, cast

from django.core.management.base import BaseCommand

from avrop.core.demo import DEMO_PASSWORD
from avrop.organisations.demo import DEMO_USERS
from avrop.web.demo import load_all


class Command(BaseCommand):
    help = "Load demonstration data (idempotent: running it again adds nothing)."

    def handle(self, *args: object, **options: object) -> None:
        # OutputWrapper is an io.TextIOBase, which typeshed does not relate to typing.TextIO.
        load_all(cast(TextIO, self.stdout))
        self.stdout.write(
            self.style.SUCCESS(f"Demo data is loaded. Logins (password for all: {DEMO_PASSWORD}):")
        )
        for username, (first, last, role_text, *_rest) in DEMO_USERS.items():
            self.stdout.write(f"  {username:<20} {first} {last} – {role_text}")
