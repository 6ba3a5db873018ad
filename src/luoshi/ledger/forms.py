"""Forms of the owner's and the reviewer's pages. They only read input; rules live in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from luoshi.ledger.progress import ALLOWED_TYPES


class WorkForm(forms.Form):
    """Labels end with the full-width colon of Chinese forms."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "：")
        super().__init__(*args, **kwargs)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented pattern); each is checked by the service."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": ",".join(f".{ext}" for ext in ALLOWED_TYPES)})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class ProgressForm(WorkForm):
    date = forms.DateField(label="进展日期", widget=DateInput())
    text = forms.CharField(label="进展情况", widget=forms.Textarea(attrs={"rows": 4}))
    attachments = MultipleFileField(label="佐证文件（可多选）", required=False)
    evidence_date = forms.DateField(
        label="佐证日期（材料形成的日期，不是上传日期）", required=False, widget=DateInput()
    )
    statement = forms.CharField(
        label="佐证说明（可选）", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"date": timezone.localdate()})
        super().__init__(*args, **kwargs)


class TransitionForm(WorkForm):
    target = forms.CharField(widget=forms.HiddenInput())
    outcome = forms.CharField(label="整改成效", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    reason = forms.CharField(label="理由", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    # Set by the confirmation page: a step whose rule asks for confirmation (销号, 重新打开) is
    # taken only from there, after the page has shown what is being decided.
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput())


class ExtensionRequestForm(WorkForm):
    requested_deadline = forms.DateField(label="申请延至", widget=DateInput())
    reason = forms.CharField(label="延期理由", widget=forms.Textarea(attrs={"rows": 3}))


class ExtensionDecisionForm(WorkForm):
    decision = forms.ChoiceField(
        choices=[("approve", "批准"), ("deny", "不批准")], widget=forms.HiddenInput()
    )
    note = forms.CharField(label="审批意见", required=False, widget=forms.Textarea(attrs={"rows": 2}))
