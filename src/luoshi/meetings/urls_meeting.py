"""URLs of the meetings app's meeting pages (included by luoshi.meetings.urls)."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
