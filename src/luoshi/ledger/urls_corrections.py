"""Corrections after confirmation: void, restore and edit problems and measures (views_corrections)."""

from django.urls import URLPattern, path

from luoshi.ledger import views_corrections as views

urlpatterns: list[URLPattern] = [
    path("problems/<int:pk>/void/", views.problem_void, name="problem_void"),
    path("problems/<int:pk>/restore/", views.problem_restore, name="problem_restore"),
    path("problems/<int:pk>/edit/", views.problem_edit, name="problem_edit"),
    path("measures/<int:pk>/void/", views.measure_void, name="measure_void"),
    path("measures/<int:pk>/restore/", views.measure_restore, name="measure_restore"),
    path("measures/<int:pk>/edit/", views.measure_edit, name="measure_edit"),
    path("measures/<int:pk>/commitments/", views.commitment_add, name="commitment_add"),
    path("commitments/<int:pk>/", views.commitment_change, name="commitment_change"),
]
