"""URLs of the meetings app's prep pages (included by luoshi.meetings.urls)."""

from django.urls import URLPattern, URLResolver, path

from luoshi.meetings import views_prep

urlpatterns: list[URLPattern | URLResolver] = [
    path("rounds/<int:pk>/steps/", views_prep.round_steps, name="round_steps"),
    path("rounds/<int:pk>/study/", views_prep.round_study, name="round_study"),
    path("rounds/<int:pk>/talks/", views_prep.round_talks, name="round_talks"),
]
