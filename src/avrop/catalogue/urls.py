from django.urls import path

from avrop.catalogue import views, views_punch_out

app_name = "catalogue"
urlpatterns = [
    path("", views.search, name="search"),
    path("items/<int:pk>/", views.item_detail, name="item"),
    path("items/<int:pk>/image", views.item_image, name="item_image"),
    path("items/<int:pk>/image/upload/", views.item_image_upload, name="item_image_upload"),
    path("price-lists/", views.price_lists, name="price_lists"),
    path("price-lists/upload/", views.price_list_upload, name="upload"),
    path("price-lists/template.xlsx", views.price_list_template, name="price_list_template"),
    path("price-lists/<int:pk>/", views.price_list_detail, name="price_list"),
    path("price-lists/<int:pk>/progress/", views.price_list_progress_view, name="price_list_progress"),
    path("price-lists/<int:pk>/approve/", views.price_list_approve, name="approve"),
    path("price-lists/<int:pk>/reject/", views.price_list_reject, name="reject"),
    path("price-lists/<int:pk>/compare-again/", views.price_list_restage, name="restage"),
    path("price-lists/<int:pk>/file/", views.price_list_file, name="price_list_file"),
    path("price-lists/<int:pk>/response.xml", views.price_list_response, name="price_list_response"),
    path("suppliers/<int:supplier_id>/columns/", views.column_mapping, name="column_mapping"),
    path("accounts/", views.account_mapping, name="accounts"),
    path("accounts/rules/<int:pk>/delete/", views.account_rule_delete, name="account_rule_delete"),
    path("items/<int:pk>/map/", views.item_map, name="item_map"),
    path("staged/<int:pk>/map/", views.staged_map, name="staged_map"),
    path("templates/", views.template_list, name="templates"),
    path("templates/add/", views.template_add, name="template_add"),
    path("templates/<int:pk>/", views.template_detail, name="template"),
    path("templates/<int:pk>/export.<str:fmt>", views.template_export, name="template_export"),
    path("templates/<int:pk>/lines/<int:line_id>/remove/", views.template_remove, name="template_remove"),
    path("templates/<int:pk>/delete/", views.template_delete, name="template_delete"),
    path("missing/", views.missing_list, name="missing"),
    path("missing/new/", views.missing_new, name="missing_new"),
    path("missing/<int:pk>/answer/", views.missing_answer, name="missing_answer"),
    path("suppliers/<int:supplier_id>/punch-out/", views_punch_out.settings_page, name="punch_out_settings"),
    path("punch-out/<int:supplier_id>/start/", views_punch_out.start, name="punch_out_start"),
    path("punch-out/return/<str:token>/", views_punch_out.return_from_shop, name="punch_out_return"),
    path("demo-shop/<path:path>", views_punch_out.demo_shop_view, name="demo_shop"),
]
