"""Forms of the reminder, channel and 督办 pages. They only read input; rules live in the services."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from luoshi.ledger.forms import DateInput, WorkForm
from luoshi.notices.models import ChannelKind, DeliveryMode, OrderGrade


class UrgeForm(WorkForm):
    message = forms.CharField(
        label="催办留言（可选）",
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "如：请于本周内报送进展"}),
    )


class BulkUrgeForm(UrgeForm):
    measures = forms.TypedMultipleChoiceField(label="措施", coerce=int, choices=())

    def __init__(self, *args: Any, choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["measures"]).choices = choices


class OrderForm(WorkForm):
    grade = forms.ChoiceField(label="督办等级", choices=OrderGrade.choices, widget=forms.RadioSelect)
    reason = forms.CharField(label="督办事由", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    reply_deadline = forms.DateField(label="限期反馈", widget=DateInput())


class ReplyForm(WorkForm):
    text = forms.CharField(label="反馈情况", widget=forms.Textarea(attrs={"rows": 4}), max_length=4000)


class ChannelForm(WorkForm):
    organization = forms.TypedChoiceField(label="单位", coerce=int, choices=())
    kind = forms.ChoiceField(label="类型", choices=ChannelKind.choices)
    name = forms.CharField(label="名称", max_length=100)
    url = forms.URLField(
        label="Webhook 地址",
        required=False,
        assume_scheme="https",
        help_text="钉钉、企业微信机器人或通用 Webhook 的地址",
    )
    host = forms.CharField(label="SMTP 服务器", required=False, max_length=200)
    port = forms.IntegerField(label="SMTP 端口", required=False, min_value=1, max_value=65535, initial=465)
    security = forms.ChoiceField(
        label="加密",
        choices=[("ssl", "SSL/TLS"), ("starttls", "STARTTLS"), ("none", "不加密")],
        required=False,
    )
    username = forms.CharField(label="SMTP 用户名", required=False, max_length=200)
    sender = forms.EmailField(label="发件人地址", required=False)
    secret = forms.CharField(
        label="密钥",
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="SMTP 密码、钉钉加签密钥（SEC 开头）或 Webhook 令牌；保存后不再显示",
    )

    def __init__(self, *args: Any, organizations: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["organization"]).choices = organizations

    def config(self) -> dict[str, Any]:
        data = self.cleaned_data
        if data["kind"] == ChannelKind.EMAIL:
            return {
                "host": data.get("host") or "",
                "port": data.get("port") or 25,
                "security": data.get("security") or "starttls",
                "username": data.get("username") or "",
                "from": data.get("sender") or "",
            }
        return {"url": data.get("url") or ""}


KIND_CHOICES = [("inbox", "站内通知"), *ChannelKind.choices]


class PreferenceForm(WorkForm):
    mode = forms.ChoiceField(label="接收方式", choices=DeliveryMode.choices, widget=forms.RadioSelect)
    kinds = forms.MultipleChoiceField(
        label="接收渠道",
        choices=KIND_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="都不选表示本单位配置的全部渠道；站内通知始终保留",
    )
    quiet_hours = forms.CharField(
        label="免打扰时段",
        required=False,
        max_length=11,
        help_text="如 22:00-07:30；此时段内除督办单外的消息延后发送",
    )
