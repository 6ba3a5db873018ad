"""The project's URLs plus views that fail, for the error page tests."""

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.urls import path

from luoshi.web.urls import handler500
from luoshi.web.urls import urlpatterns as project_urls


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


def database_boom(request: HttpRequest) -> HttpResponse:
    raise OperationalError("no such column: x")


urlpatterns = [
    path("test-boom/", boom),
    path("test-database-boom/", database_boom),
    *project_urls,
]
__all__ = ["handler500", "urlpatterns"]
