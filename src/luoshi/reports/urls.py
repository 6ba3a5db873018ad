"""Report downloads of a round: /rounds/<pk>/reports/<kind>.<format>"""

from django.urls import URLPattern, path, register_converter

from luoshi.reports import views


class _Format:
    regex = ""

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class DocumentFormat(_Format):
    regex = "docx|pdf"


class MemberFormat(_Format):
    regex = "docx|xlsx|pdf"


register_converter(DocumentFormat, "report_document")
register_converter(MemberFormat, "report_member")


urlpatterns: list[URLPattern] = [
    path(
        "rounds/<int:pk>/reports/progress.<report_document:fmt>",
        views.report_progress,
        name="report_progress",
    ),
    path(
        "rounds/<int:pk>/reports/bulletin.<report_document:fmt>",
        views.report_bulletin,
        name="report_bulletin",
    ),
    path("rounds/<int:pk>/reports/member.<report_member:fmt>", views.report_member, name="report_member"),
    path("rounds/<int:pk>/reports/ledger.xlsx", views.report_ledger, name="report_ledger"),
]
