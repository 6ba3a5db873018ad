"""The few choices a download takes: the bulletin's period."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone

DEFAULT_BULLETIN_DAYS = 30


class BulletinForm(forms.Form):
    """The period of a 进展通报, inclusive; by default the 30 days up to today."""

    start = forms.DateField(required=False, label="起始日期", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, label="截止日期", widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        end = data.get("end") or timezone.localdate()
        start = data.get("start") or end - datetime.timedelta(days=DEFAULT_BULLETIN_DAYS)
        if end < start:
            raise forms.ValidationError("截止日期不能早于起始日期")
        data["start"], data["end"] = start, end
        return data

    @classmethod
    def from_query(cls, query: Any) -> BulletinForm:
        return cls({"start": query.get("from") or "", "end": query.get("to") or ""})
