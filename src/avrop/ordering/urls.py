from django.urls import path

from avrop.ordering import views, views_punch_out

app_name = "ordering"
urlpatterns = [
    path("", views.shop, name="shop"),
    path("cart/", views.cart, name="cart"),
    path("cart/add/", views.cart_add, name="cart_add"),
    path("cart/template/<int:pk>/", views.cart_add_template, name="cart_add_template"),
    path("cart/free-text/", views.free_text, name="free_text"),
    path("cart/lines/<int:pk>/", views.line_update, name="line_update"),
    path("cart/lines/<int:pk>/remove/", views.line_remove, name="line_remove"),
    path("cart/lines/<int:pk>/coding/", views.line_coding, name="line_coding"),
    path("cart/attachments/", views.attachment_add, name="attachment_add"),
    path("cart/attachments/<int:pk>/remove/", views.attachment_remove, name="attachment_remove"),
    path("cart/send/", views.submit, name="submit"),
    path("cart/punch-out/<str:token>/", views_punch_out.review, name="punch_out_review"),
    path("requisitions/", views.requisitions, name="requisitions"),
    path("requisitions/<int:pk>/", views.requisition, name="requisition"),
    path("requisitions/<int:pk>/cancel/", views.requisition_cancel, name="requisition_cancel"),
    path("approvals/", views.approvals, name="approvals"),
    path("approvals/<int:pk>/", views.approve, name="approve"),
    path("a/<str:token>/", views.approve_link, name="approve_link"),
    path("orders/", views.orders, name="orders"),
    path("orders/<int:pk>/", views.order, name="order"),
    path("orders/<int:pk>/cancel/", views.order_cancel, name="order_cancel"),
    path(
        "orders/<int:pk>/cancellation-confirmed/",
        views.order_cancellation_confirmed,
        name="order_cancellation_confirmed",
    ),
    path("orders/<int:pk>/change/", views.order_change, name="order_change"),
    path("orders/<int:pk>/confirmation/", views.order_confirmation, name="order_confirmation"),
    path("orders/<int:pk>/documents/<int:document_id>/", views.document, name="document"),
    path("transmissions/<int:pk>/resend/", views.resend, name="resend"),
    path("troubleshooting/", views.troubleshooting, name="troubleshooting"),
    path("on-behalf/", views.on_behalf_permissions, name="on_behalf_permissions"),
    path("troubleshooting/fetch/", views.intake_now, name="intake_now"),
]
