from django.urls import path

from luoshi.accounts import views

urlpatterns = [
    path("account/password/", views.ChangePasswordView.as_view(), name="password_change"),
]
