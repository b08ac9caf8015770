"""Routes of the portal's orders: the inbox, one order (answer, despatch, cancellation) and orders on
behalf of a customer."""

from django.urls import path

from avrop.portal.views import orders

urlpatterns = [
    path("orders/", orders.orders, name="orders"),
    path("orders/on-behalf/", orders.on_behalf, name="order_on_behalf"),
    path("orders/<int:pk>/", orders.order, name="order"),
    path("orders/<int:pk>/respond/", orders.order_respond, name="order_respond"),
    path("orders/<int:pk>/despatch/", orders.order_despatch, name="order_despatch"),
    path(
        "orders/<int:pk>/cancellation/",
        orders.order_cancellation_confirm,
        name="order_cancellation_confirm",
    ),
]
