"""Recurrence URLs: feedback batches of a round, their items' decisions, and the round's 以往提出过."""

from django.urls import path

from luoshi.recurrence import views

urlpatterns = [
    path("rounds/<int:pk>/feedback/", views.feedback_list, name="feedback_list"),
    path("rounds/<int:pk>/recurrences/", views.round_recurrences, name="round_recurrences"),
    path("feedback/<int:pk>/", views.feedback_batch, name="feedback_batch"),
    path("feedback/items/<int:pk>/new/confirm/", views.feedback_confirm_new, name="feedback_confirm_new"),
    path(
        "feedback/items/<int:pk>/<str:action>/",
        views.feedback_decide,
        name="feedback_decide",
    ),
]
