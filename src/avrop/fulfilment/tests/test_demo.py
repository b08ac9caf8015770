"""The demo shows a new user what fulfilment adds: Anna's cart with a toner line for the installed printer
(picked from the installed base) and a line through the distribution centre with its next delivery day, and
Cecilia's register of distribution centres. Loaded again, fulfilment's demo changes nothing."""

import io
import re

import pytest
from django.utils import timezone

from avrop.core import formatting
from avrop.fulfilment import demo as fulfilment_demo
from avrop.fulfilment.demo import DC_NAME, MACHINE_SERIAL
from avrop.fulfilment.models import DistributionDay, InstalledMachine
from avrop.fulfilment.selectors import next_delivery_day
from avrop.ordering.models import RequisitionLine
from avrop.organisations.models import User
from avrop.web.demo import load_all

pytestmark = pytest.mark.django_db(transaction=True)


def test_demo_shows_the_machine_picker_the_delivery_day_and_the_register(client, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.LANGUAGE_CODE = "sv"
    load_all(io.StringIO())
    machine = InstalledMachine.objects.get(serial_number=MACHINE_SERIAL)
    client.force_login(User.objects.get(username="requisitioner"))
    page = client.get("/ordering/cart/", HTTP_ACCEPT_LANGUAGE="sv").content.decode()
    assert re.search(rf'<option value="{machine.pk}" selected>[^<]*{MACHINE_SERIAL}', page)
    weekdays = DistributionDay.objects.filter(
        centre__name=DC_NAME, department__name__icontains="Solgården"
    ).values_list("weekday", flat=True)
    day = next_delivery_day(weekdays, after=timezone.localdate())
    assert day is not None
    text = f"Levereras via {DC_NAME}; nästa leveransdag till din avdelning är %s."
    assert text % formatting.day(day, language="sv") in page
    client.force_login(User.objects.get(username="coordinator"))
    register = client.get("/fulfilment/centres/register/", HTTP_ACCEPT_LANGUAGE="sv").content.decode()
    assert "Register över distributionscentraler" in register and DC_NAME in register
    lines = RequisitionLine.objects.count()
    out = io.StringIO()
    fulfilment_demo.load(out)
    assert RequisitionLine.objects.count() == lines and "(already loaded)" in out.getvalue()
