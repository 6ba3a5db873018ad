"""Indicator URLs: a round's indicators and import, one indicator's grid, members' pages, records."""

from django.urls import path

from luoshi.indicators import views

urlpatterns = [
    path("rounds/<int:pk>/indicators/", views.round_indicators, name="round_indicators"),
    path("rounds/<int:pk>/indicators/accept/", views.accept_indicators, name="accept_indicators"),
    path("rounds/<int:pk>/indicators/new/", views.indicator_create, name="indicator_create"),
    path("rounds/<int:pk>/activities/import/", views.activity_import, name="activity_import"),
    path("indicators/<int:pk>/", views.indicator_grid, name="indicator_grid"),
    path("members/<int:pk>/activities/", views.member_page, name="member_activities"),
    path("my/activities/", views.my_activities, name="my_activities"),
    path("activities/new/", views.activity_new, name="activity_new"),
    path("activities/<int:pk>/edit/", views.activity_edit, name="activity_edit"),
]
