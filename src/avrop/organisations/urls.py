from django.urls import path

from avrop.organisations import views
from avrop.organisations.views import approval, chart, departments, imports, people, webhooks

app_name = "organisations"
urlpatterns = [
    path("switch/", views.switch_organisation, name="switch"),
    path("departments/", departments.departments, name="departments"),
    path("departments/<int:pk>/", departments.department_detail, name="department_detail"),
    path("departments/<int:pk>/edit/", departments.department_edit, name="department_edit"),
    path("departments/<int:department_pk>/addresses/new/", departments.address_edit, name="address_new"),
    path(
        "departments/<int:department_pk>/addresses/<int:pk>/", departments.address_edit, name="address_edit"
    ),
    path("department-requests/", departments.request_list, name="requests"),
    path("department-requests/new/", departments.request_new, name="request_new"),
    path("department-requests/<int:pk>/", departments.request_detail, name="request_detail"),
    path("department-requests/<int:pk>/<slug:action>/", departments.request_action, name="request_action"),
    path("people/", people.people, name="people"),
    path("people/new/", people.person_new, name="person_new"),
    path("people/import/", people.people_import, name="people_import"),
    path("people/<int:pk>/", people.person_detail, name="person_detail"),
    path("people/<int:pk>/roles/", people.person_role_add, name="person_role_add"),
    path("people/<int:pk>/deactivate/", people.person_deactivate, name="person_deactivate"),
    path("people/<int:pk>/memberships/<int:membership_pk>/move/", people.person_move, name="person_move"),
    path(
        "people/<int:pk>/memberships/<int:membership_pk>/end/", people.membership_end, name="membership_end"
    ),
    path("imports/<int:pk>/", imports.import_detail, name="import_detail"),
    path("imports/<int:pk>/progress/", imports.import_progress, name="import_progress"),
    path("imports/<int:pk>/valid-rows/", imports.import_valid_rows, name="import_valid_rows"),
    path("approval/", approval.overview, name="approval"),
    path("approval/rules/new/", approval.limit_new, name="limit_new"),
    path("approval/rules/<int:pk>/", approval.limit_edit, name="limit_edit"),
    path("approval/rules/<int:pk>/end/", approval.limit_end, name="limit_end"),
    path("approval/deputies/new/", approval.delegation_new, name="delegation_new"),
    path("approval/deputies/<int:pk>/end/", approval.delegation_end, name="delegation_end"),
    path("approval/who/", approval.who, name="who_can_approve"),
    path("webhooks/", webhooks.webhooks, name="webhooks"),
    path("webhooks/<int:pk>/remove/", webhooks.webhook_remove, name="webhook_remove"),
    path("chart/", chart.overview, name="chart"),
    path("chart/create/", chart.chart_create, name="chart_create"),
    path("chart/use/", chart.chart_use, name="chart_use"),
    path("chart/accounts/", chart.accounts, name="accounts"),
    path("chart/accounts/new/", chart.account_new, name="account_new"),
    path("chart/objects/", chart.objects, name="objects"),
    path("chart/objects/new/", chart.object_new, name="object_new"),
    path("chart/import/", chart.chart_import, name="chart_import"),
    path("chart/coding/", chart.coding, name="coding"),
    path("chart/picker/<slug:key>/", chart.coding_picker, name="coding_picker"),
]
