from django.urls import path

from avrop.payables import inbound_views, views
from avrop.payables.attest import urls as attest_urls
from avrop.payables.payments import urls as payment_urls
from avrop.payables.scanning import urls as scanning_urls
from avrop.payables.subscriptions import urls as subscription_urls

app_name = "payables"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("review/", views.review_list, name="review"),
    path("upload/", views.upload, name="upload"),
    path("set-aside/", inbound_views.set_aside_list, name="set_aside"),
    path("matching/", views.matching_settings, name="matching_settings"),
    path("post-check/", views.post_check, name="post_check"),
    path("key-figures/", views.key_figures, name="key_figures"),
    path("post-check/draw/", views.post_check_draw, name="post_check_draw"),
    path("post-check/<int:pk>/", views.post_check_result, name="post_check_result"),
    path("set-aside/<int:pk>/original/", inbound_views.set_aside_original, name="set_aside_original"),
    path("set-aside/<int:pk>/retry/", inbound_views.set_aside_retry, name="set_aside_retry"),
    path("<int:pk>/", views.invoice_detail, name="invoice"),
    path("<int:pk>/original/", views.invoice_original, name="original"),
    path("<int:pk>/pdf/", views.invoice_pdf, name="pdf"),
    path("<int:pk>/official/", views.official_view, name="official"),
    path("<int:pk>/attachments/<int:index>/", views.attachment, name="attachment"),
    path("<int:pk>/messages/<int:message_id>/", views.message_content, name="message"),
    path("<int:pk>/send-to-review/", views.send_to_review, name="send_to_review"),
    path("<int:pk>/reference/", views.set_reference, name="set_reference"),
    path("<int:pk>/not-duplicate/", views.not_duplicate, name="not_duplicate"),
    path("<int:pk>/return/", views.return_invoice, name="return"),
    path("<int:pk>/query/", views.query_invoice, name="query"),
    path("<int:pk>/resume/", views.resume, name="resume"),
    path("<int:pk>/approve/", views.approve, name="approve"),
    path("<int:pk>/send-back/", views.send_back, name="send_back"),
    path("<int:pk>/paid/", views.mark_paid, name="paid"),
    path("<int:pk>/register/", views.register, name="register"),
    path("<int:pk>/match/", views.rematch, name="rematch"),
    *payment_urls.urlpatterns,
    *scanning_urls.urlpatterns,
    *attest_urls.urlpatterns,
    *subscription_urls.urlpatterns,
]
