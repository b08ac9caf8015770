import factory

from avrop.organisations.models import Organisation
from avrop.organisations.tests.factories import DepartmentFactory, OrganisationFactory
from avrop.suppliers.models import CustomerNumber, Supplier, SupplierContact


class SupplierFactory(factory.django.DjangoModelFactory[Supplier]):
    class Meta:
        model = Supplier

    buyer = factory.SubFactory(OrganisationFactory)
    organisation = factory.SubFactory(OrganisationFactory, kind=Organisation.Kind.SUPPLIER)
    connection = Supplier.Connection.EMAIL
    order_email = "order@supplier.example"


class SupplierContactFactory(factory.django.DjangoModelFactory[SupplierContact]):
    class Meta:
        model = SupplierContact

    supplier = factory.SubFactory(SupplierFactory)
    topic = SupplierContact.Topic.ORDERS
    name = factory.Sequence(lambda n: f"Contact {n}")
    email = "contact@supplier.example"


class CustomerNumberFactory(factory.django.DjangoModelFactory[CustomerNumber]):
    class Meta:
        model = CustomerNumber

    supplier = factory.SubFactory(SupplierFactory)
    department = factory.LazyAttribute(lambda o: DepartmentFactory(organisation=o.supplier.buyer))
    number = factory.Sequence(lambda n: f"C{n:05d}")
