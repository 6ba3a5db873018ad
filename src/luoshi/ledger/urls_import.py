"""Documents and spreadsheets in and out of a round (views_import)."""

from django.urls import URLPattern, path

from luoshi.ledger import views_import

urlpatterns: list[URLPattern] = [
    path("rounds/new/", views_import.round_create, name="round_create"),
    path("rounds/<int:pk>/import/", views_import.round_import, name="round_import"),
    path("rounds/<int:pk>/import-xlsx/", views_import.round_import_xlsx, name="round_import_xlsx"),
    path("rounds/<int:pk>/export.xlsx", views_import.round_export, name="round_export"),
    path("drafts/<int:pk>/", views_import.draft_preview, name="draft_preview"),
    path("drafts/<int:pk>/edit/", views_import.draft_edit, name="draft_edit"),
    path("drafts/<int:pk>/confirm/", views_import.draft_confirm, name="draft_confirm"),
    path("drafts/<int:pk>/discard/", views_import.draft_discard, name="draft_discard"),
]
