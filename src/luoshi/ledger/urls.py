"""Ledger URLs. Each sub-domain keeps its own module: import (documents and spreadsheets in and out),
work (an owner's measures, evidence, extensions, the reviewer's queue), and the pages below (rounds,
the ledger list, the organizer's planning, histories, dashboards)."""

from django.urls import include, path

from luoshi.ledger import views, views_home

urlpatterns = [
    path("", views_home.home, name="home"),
    path("upload/", views_home.home_upload, name="home_upload"),
    path("upload/confirm/", views_home.home_upload_confirm, name="home_upload_confirm"),
    path("rounds/<int:pk>/", views.round_detail, name="round_detail"),
    path("rounds/<int:pk>/assign/", views.round_assign, name="round_assign"),
    path("rounds/<int:pk>/dashboard/", views.round_dashboard, name="round_dashboard"),
    path("rounds/<int:pk>/problems/new/", views.problem_create, name="problem_create"),
    path("problems/<int:pk>/", views.problem_detail, name="problem_detail"),
    path("problems/<int:pk>/measures/new/", views.measure_create, name="measure_create"),
    path("problems/<int:pk>/causes/", views.problem_causes, name="problem_causes"),
    path("measures/<int:pk>/history/", views.measure_history, name="measure_history"),
    path("measures/<int:pk>/assign/", views.measure_assign, name="measure_assign"),
    path("ledger/", views.ledger_list, name="ledger_list"),
    path("dashboard/", views.org_dashboard, name="org_dashboard"),
    path("", include("luoshi.ledger.urls_import")),
    path("", include("luoshi.ledger.urls_work")),
    path("", include("luoshi.ledger.urls_corrections")),
]
