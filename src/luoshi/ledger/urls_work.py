"""The owner's and the reviewer's pages: 我的整改, a measure and its actions, 待验收, evidence, notices."""

from django.urls import URLPattern, path

from luoshi.ledger import views_work as views

urlpatterns: list[URLPattern] = [
    path("my/", views.my_measures, name="my_measures"),
    path("measures/<int:pk>/", views.measure_detail, name="measure_detail"),
    path("measures/<int:pk>/progress/", views.measure_progress, name="measure_progress"),
    path("measures/<int:pk>/transition/", views.measure_transition, name="measure_transition"),
    path("measures/<int:pk>/confirm/<str:target>/", views.measure_confirm, name="measure_confirm"),
    path("measures/<int:pk>/extension/", views.measure_extension, name="measure_extension"),
    path("extensions/<int:pk>/decide/", views.extension_decide, name="extension_decide"),
    path("evidence/<int:pk>/", views.evidence_file, name="evidence_file"),
    path("evidence/<int:pk>/view/", views.evidence_view, name="evidence_view"),
    path("review/", views.review_queue, name="review_queue"),
    path("notices/", views.notices, name="notices"),
    path("notices/<int:pk>/read/", views.notice_read, name="notice_read"),
    path("notices/read-all/", views.notices_read_all, name="notices_read_all"),
]
