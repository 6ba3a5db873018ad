"""Reminders, 催办 and 督办单, channels, preferences and the delivery log."""

from django.urls import URLPattern, path

from luoshi.notices import views

urlpatterns: list[URLPattern] = [
    path("measures/<int:pk>/urge/", views.measure_urge, name="measure_urge"),
    path("measures/<int:pk>/orders/new/", views.order_create, name="order_create"),
    path("rounds/<int:pk>/urge/", views.round_urge, name="round_urge"),
    path("orders/", views.order_list, name="order_list"),
    path("orders/<int:pk>/", views.order_detail, name="order_detail"),
    path("orders/<int:pk>/acknowledge/", views.order_acknowledge, name="order_acknowledge"),
    path("orders/<int:pk>/reply/", views.order_reply, name="order_reply"),
    path("orders/<int:pk>/document.docx", views.order_docx, name="order_docx"),
    path("settings/channels/", views.channel_list, name="channel_list"),
    path("settings/channels/<int:pk>/remove/", views.channel_remove, name="channel_remove"),
    path("settings/channels/<int:pk>/test/", views.channel_test, name="channel_test"),
    path("settings/notices/", views.preferences, name="notice_preferences"),
    path("deliveries/", views.delivery_log, name="delivery_log"),
]
