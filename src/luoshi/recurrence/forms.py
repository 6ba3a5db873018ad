"""Forms of the recurrence pages: they only shape input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms

from luoshi.recurrence.models import FeedbackKind
from luoshi.web.uploads import max_upload_bytes, too_large


class FeedbackImportForm(forms.Form):
    kind = forms.ChoiceField(label="反馈类型", choices=FeedbackKind.choices, initial=FeedbackKind.SUPERVISION)
    name = forms.CharField(label="名称（如“县委第二督导组反馈意见”）", max_length=255, required=False)
    document = forms.FileField(label="反馈文档（.docx 或 .txt）", required=False)
    pasted = forms.CharField(
        label="或粘贴反馈事项（每行一条，或按“1. 2. 3.”编号）",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        document, pasted = data.get("document"), (data.get("pasted") or "").strip()
        if not document and not pasted:
            raise forms.ValidationError("请上传反馈文档，或粘贴反馈事项")
        if document and document.size > max_upload_bytes():
            raise forms.ValidationError(too_large(document.name or "反馈文档"))
        return data


class RecurrenceForm(forms.Form):
    earlier = forms.IntegerField(widget=forms.HiddenInput)
    lessons = forms.CharField(
        label="举一反三：排查了哪些类似问题，结果如何",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "确认反复出现须填写举一反三情况"},
    )


class DismissForm(forms.Form):
    reason = forms.CharField(
        label="不予采纳的理由",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "不予采纳须填写理由"},
    )
