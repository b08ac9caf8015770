"""Portal routes of the catalogue area: price lists and their review, uploads, template, shop window."""

from django.urls import path

from avrop.portal.views import catalogue

urlpatterns = [
    path("catalogue/", catalogue.overview, name="catalogue"),
    path("catalogue/upload/", catalogue.upload, name="catalogue_upload"),
    path("catalogue/template.xlsx", catalogue.template, name="catalogue_template"),
    path("catalogue/price-lists/<int:pk>/", catalogue.price_list, name="catalogue_price_list"),
    path(
        "catalogue/price-lists/<int:pk>/progress/",
        catalogue.price_list_progress_view,
        name="catalogue_price_list_progress",
    ),
    path("catalogue/price-lists/<int:pk>/file/", catalogue.price_list_file, name="catalogue_price_list_file"),
    path(
        "catalogue/price-lists/<int:pk>/response.xml",
        catalogue.price_list_response,
        name="catalogue_price_list_response",
    ),
    path("catalogue/items/", catalogue.items, name="catalogue_items"),
    path("catalogue/items/<int:pk>/", catalogue.item, name="catalogue_item"),
    path("catalogue/items/<int:pk>/keywords/", catalogue.item_keywords, name="catalogue_item_keywords"),
    path("catalogue/items/<int:pk>/picture/", catalogue.item_picture, name="catalogue_item_picture"),
    path(
        "catalogue/items/<int:pk>/picture/remove/",
        catalogue.item_picture_remove,
        name="catalogue_item_picture_remove",
    ),
    path("catalogue/items/<int:pk>/picture.img", catalogue.item_image, name="catalogue_item_image"),
]
