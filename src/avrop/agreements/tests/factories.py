import datetime as dt

import factory

from avrop.agreements.models import Agreement, AgreementParty
from avrop.organisations.models import Organisation
from avrop.organisations.tests.factories import OrganisationFactory


class AgreementFactory(factory.django.DjangoModelFactory[Agreement]):
    class Meta:
        model = Agreement
        # The parties hook only adds rows of their own; the agreement needs no second save.
        skip_postgeneration_save = True

    owner = factory.SubFactory(OrganisationFactory)
    supplier = factory.SubFactory(OrganisationFactory, kind=Organisation.Kind.SUPPLIER)
    reference = factory.Sequence(lambda n: f"AVT-{n:04d}")
    title = "Kontorsmaterial"
    valid_from = factory.LazyFunction(lambda: dt.date.today() - dt.timedelta(days=100))
    valid_to = factory.LazyFunction(lambda: dt.date.today() + dt.timedelta(days=60))

    @factory.post_generation
    def parties(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            AgreementParty.objects.get_or_create(agreement=obj, organisation=obj.owner)
            for organisation in extracted or []:
                AgreementParty.objects.get_or_create(agreement=obj, organisation=organisation)
