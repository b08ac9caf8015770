"""Factories for tenancy objects. Identifiers are generated so that they pass their checksums."""

from __future__ import annotations

import factory
from stdnum import ean, luhn

from avrop.organisations.models import (
    Account,
    Chart,
    DeliveryAddress,
    Department,
    Dimension,
    DimensionObject,
    Membership,
    Organisation,
    User,
)
from avrop.organisations.roles import Role


def _org_number(n: int) -> str:
    base = f"55{n:07d}"
    full = base + luhn.calc_check_digit(base)
    return f"{full[:6]}-{full[6:]}"


def _gln(n: int) -> str:
    base = f"7359{n:08d}"
    return base + ean.calc_check_digit(base)


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"First{n}")
    last_name = "Testsson"
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", "secret-password-1")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


class OrganisationFactory(factory.django.DjangoModelFactory[Organisation]):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = Organisation.Kind.BUYER
    org_number = factory.Sequence(_org_number)
    peppol_id = factory.LazyAttribute(lambda o: "0007:" + o.org_number.replace("-", ""))


class DepartmentFactory(factory.django.DjangoModelFactory[Department]):
    class Meta:
        model = Department

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Department {n}")
    gln = factory.Sequence(_gln)
    town = "Ystad"


class DeliveryAddressFactory(factory.django.DjangoModelFactory[DeliveryAddress]):
    class Meta:
        model = DeliveryAddress

    department = factory.SubFactory(DepartmentFactory)
    label = factory.Sequence(lambda n: f"Entrance {n}")
    street = "Storgatan 1"
    postal_code = "271 41"
    city = "Ystad"
    building = "Hus A"
    floor = "2"


class MembershipFactory(factory.django.DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.REQUISITIONER


class ChartFactory(factory.django.DjangoModelFactory[Chart]):
    class Meta:
        model = Chart

    owner = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Kontoplan {n}")


class AccountFactory(factory.django.DjangoModelFactory[Account]):
    class Meta:
        model = Account

    chart = factory.SubFactory(ChartFactory)
    number = factory.Sequence(lambda n: f"9{n:06d}")  # never one of the numbers tests spell out
    name = factory.Sequence(lambda n: f"Konto {n}")
    kind = Account.Kind.EXPENSE


class DimensionFactory(factory.django.DjangoModelFactory[Dimension]):
    class Meta:
        model = Dimension

    chart = factory.SubFactory(ChartFactory)
    number = 1
    code = "cost_centre"
    name = "Kostnadsställe"
    kind = Dimension.Kind.COST_CENTRE


class DimensionObjectFactory(factory.django.DjangoModelFactory[DimensionObject]):
    class Meta:
        model = DimensionObject

    dimension = factory.SubFactory(DimensionFactory)
    code = factory.Sequence(lambda n: f"F{n:05d}")  # never one of the codes tests spell out
    name = factory.Sequence(lambda n: f"Ansvar {n}")
