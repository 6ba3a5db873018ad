"""URLs of the meetings app's meeting pages (included by luoshi.meetings.urls)."""

from django.urls import URLPattern, URLResolver, path

from luoshi.meetings import views_meeting as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("rounds/<int:pk>/meeting/", views.round_meeting, name="round_meeting"),
    path("rounds/<int:pk>/meeting/attendance/", views.meeting_attendance, name="meeting_attendance"),
    path("rounds/<int:pk>/meeting/held/", views.meeting_held, name="meeting_held"),
    path("rounds/<int:pk>/meeting/carried/<int:carried_pk>/", views.meeting_carried, name="meeting_carried"),
    path("rounds/<int:pk>/meeting/criticisms/", views.meeting_criticism, name="meeting_criticism"),
    path(
        "rounds/<int:pk>/meeting/criticisms/<int:criticism_pk>/problem/",
        views.criticism_problem,
        name="criticism_problem",
    ),
    path("rounds/<int:pk>/meeting/report.docx", views.meeting_report, name="meeting_report"),
]
