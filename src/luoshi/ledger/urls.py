from django.urls import path

from luoshi.ledger import views

urlpatterns = [
    path("", views.home, name="home"),
    path("rounds/<int:pk>/", views.round_detail, name="round_detail"),
]
