"""Ledger URLs. Each sub-domain keeps its own module: import (documents and spreadsheets in and out),
work (an owner's measures, evidence, extensions, the reviewer's queue), and the pages below (rounds,
the ledger list, dashboards, history)."""

from django.urls import include, path

from luoshi.ledger import views

urlpatterns = [
    path("", views.home, name="home"),
    path("rounds/<int:pk>/", views.round_detail, name="round_detail"),
    path("", include("luoshi.ledger.urls_import")),
    path("", include("luoshi.ledger.urls_work")),
]
