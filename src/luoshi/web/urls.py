from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from luoshi.web import views

admin.site.site_header = "落实 · 管理后台"
admin.site.site_title = "落实"
admin.site.index_title = "基础数据"

handler500 = "luoshi.web.errors.server_error"  # Chinese; says so when the database is unreachable

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("", include("luoshi.accounts.urls")),
    path("", include("luoshi.recurrence.urls")),
    path("", include("luoshi.notices.urls")),
    path("", include("luoshi.reports.urls")),
    path("", include("luoshi.indicators.urls")),
    path("", include("luoshi.meetings.urls")),
    path("", include("luoshi.ledger.urls")),
]
