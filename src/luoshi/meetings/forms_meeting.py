"""Forms of the meeting page: the meeting's date, place and host; a criticism; a criticism turned
into a problem; a 回头看 conclusion. Rules live in `luoshi.meetings.services_meeting`."""

from __future__ import annotations

from typing import Any

from django import forms

from luoshi.ledger.models import Aspect, Round
from luoshi.meetings.models import CarryDecision
from luoshi.meetings.services_meeting import CRITICISM_MAX_CHARS, NOTE_MAX_CHARS
from luoshi.orgs.models import Member

SELF = "self"


def _members(round_: Round) -> Any:
    return Member.objects.filter(team_id=round_.team_id).order_by("order", "pk")


class MeetingForm(forms.Form):
    date = forms.DateField(
        label="会议日期", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    place = forms.CharField(label="会议地点", max_length=200, required=False)
    host = forms.ModelChoiceField(label="主持人", queryset=Member.objects.none(), required=False)

    def __init__(self, *args: Any, round_: Round, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["host"].queryset = _members(round_)  # type: ignore[attr-defined]


class CriticismForm(forms.Form):
    from_member = forms.ModelChoiceField(label="提出人", queryset=Member.objects.none())
    to_member = forms.ChoiceField(label="被批评人")
    text = forms.CharField(
        label="批评意见", max_length=CRITICISM_MAX_CHARS, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, round_: Round, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        members = list(_members(round_))
        self.fields["from_member"].queryset = _members(round_)  # type: ignore[attr-defined]
        self.fields["to_member"].choices = [  # type: ignore[attr-defined]
            ("", "---------"),
            (SELF, "（自我批评：同提出人）"),
            *((str(m.pk), m.name) for m in members),
        ]
        self._members = {str(m.pk): m for m in members}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        target = data.get("to_member")
        if target == SELF:
            data["to_member"] = data.get("from_member")
        elif target in self._members:
            data["to_member"] = self._members[target]
        elif target:
            self.add_error("to_member", "请选择本班子成员")
        return data


class CriticismProblemForm(forms.Form):
    summary = forms.CharField(label="问题（概括）", max_length=500)
    aspect = forms.ModelChoiceField(label="方面", queryset=Aspect.objects.none(), required=False)

    def __init__(self, *args: Any, round_: Round, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["aspect"].queryset = Aspect.objects.filter(  # type: ignore[attr-defined]
            framework_id=round_.framework_id
        )


class CarryDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="回头看结论",
        choices=[(CarryDecision.CONTINUE.value, "继续整改"), (CarryDecision.CLOSED.value, "已完成销号")],
    )
    note = forms.CharField(
        label="说明", max_length=NOTE_MAX_CHARS, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
