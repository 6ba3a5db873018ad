"""URLs of the meetings app's opinions pages (included by luoshi.meetings.urls)."""

from django.urls import URLPattern, URLResolver, path

from luoshi.meetings import views_opinions as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("yijian/<str:token>/", views.public_opinion, name="public_opinion"),
    path("rounds/<int:pk>/opinions/", views.round_opinions, name="round_opinions"),
    path("rounds/<int:pk>/opinions/link/", views.opinion_link, name="opinion_link"),
    path("rounds/<int:pk>/opinions/qr.png", views.opinion_qr, {"fmt": "png"}, name="opinion_qr_png"),
    path("rounds/<int:pk>/opinions/qr.svg", views.opinion_qr, {"fmt": "svg"}, name="opinion_qr_svg"),
    path("rounds/<int:pk>/opinions/poster/", views.opinion_poster, name="opinion_poster"),
    path("rounds/<int:pk>/opinions/new/", views.opinion_create, name="opinion_create"),
    path("rounds/<int:pk>/opinions/import/", views.opinion_import, name="opinion_import"),
    path(
        "rounds/<int:pk>/opinions/import/confirm/",
        views.opinion_import_confirm,
        name="opinion_import_confirm",
    ),
    path("rounds/<int:pk>/opinions/forward/", views.opinion_forward, name="opinion_forward"),
    path("rounds/<int:pk>/opinions/grouped/", views.opinions_grouped, name="opinions_grouped"),
    path("rounds/<int:pk>/opinions/grouped.docx", views.opinions_docx, name="opinions_docx"),
    path("rounds/<int:pk>/opinions/members/<int:member_pk>/", views.opinion_member, name="opinion_member"),
    path("opinions/<int:pk>/", views.opinion_detail, name="opinion_detail"),
    path("opinions/<int:pk>/classify/", views.opinion_classify, name="opinion_classify"),
    path("opinions/<int:pk>/problems/", views.opinion_link_problems, name="opinion_link_problems"),
    path("opinions/<int:pk>/problems/new/", views.opinion_problem_create, name="opinion_problem_create"),
]
