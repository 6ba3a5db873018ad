"""The meetings app's URLs: opinions (征求意见), the round's preparation (steps, study, talks, member
materials) and the meeting itself (attendance, 回头看, criticisms, the meeting report)."""

from django.urls import include, path

urlpatterns = [
    path("", include("luoshi.meetings.urls_opinions")),
    path("", include("luoshi.meetings.urls_prep")),
    path("", include("luoshi.meetings.urls_meeting")),
]
