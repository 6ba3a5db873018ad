"""URLs of the meetings app's prep pages (included by luoshi.meetings.urls)."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
