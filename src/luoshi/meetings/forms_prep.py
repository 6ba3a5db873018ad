"""Forms of the preparation pages: they only read input; `luoshi.meetings.services_prep` decides."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from luoshi.meetings.models import TalkMode
from luoshi.orgs.models import Member


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


def _members(round_: Any) -> Any:
    return Member.objects.filter(team_id=round_.team_id, active=True).order_by("order", "id")


class AnchorForm(forms.Form):
    anchor_date = forms.DateField(label="会议日期", required=False, widget=DateInput())


class StepForm(forms.Form):
    step = forms.CharField(widget=forms.HiddenInput)
    planned = forms.DateField(label="计划日期", required=False, widget=DateInput())
    done = forms.DateField(label="完成日期", required=False, widget=DateInput())


class StudyForm(forms.Form):
    date = forms.DateField(label="日期", widget=DateInput())
    topic = forms.CharField(label="学习内容", max_length=300)
    seminar = forms.BooleanField(label="专题研讨", required=False)
    attendees = forms.ModelMultipleChoiceField(
        label="参加人员", queryset=Member.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, round_: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["attendees"].queryset = _members(round_)
        fields["date"].initial = timezone.localdate()


class TalkForm(forms.Form):
    initiator = forms.ModelChoiceField(label="谈话人", queryset=Member.objects.none(), empty_label=None)
    partners = forms.ModelMultipleChoiceField(
        label="谈话对象（班子成员）",
        queryset=Member.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    outside_partners = forms.CharField(
        label="其他谈话对象（分管单位负责人等，姓名用顿号分隔）", max_length=500, required=False
    )
    date = forms.DateField(label="日期", widget=DateInput())
    mode = forms.ChoiceField(label="方式", choices=TalkMode.choices, initial=TalkMode.ONE_TO_ONE)
    summary = forms.CharField(
        label="谈话要点（保密，仅谈话双方和组织者可见，可不填）",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, round_: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["initiator"].queryset = _members(round_)
        fields["partners"].queryset = _members(round_)
        fields["date"].initial = timezone.localdate()


class PairTalkForm(forms.Form):
    """One missing pair recorded in one step: the two people, the date."""

    first = forms.ModelChoiceField(queryset=Member.objects.none())
    second = forms.ModelChoiceField(queryset=Member.objects.none(), required=False)
    head = forms.CharField(max_length=100, required=False)
    date = forms.DateField(widget=DateInput())

    def __init__(self, *args: Any, round_: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["first"].queryset = _members(round_)
        fields["second"].queryset = _members(round_)


class SecretaryForm(forms.Form):
    secretary = forms.ModelChoiceField(label="书记", queryset=Member.objects.none(), required=False)

    def __init__(self, *args: Any, round_: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["secretary"].queryset = _members(round_)
        fields["secretary"].empty_label = "（按排序第一位成员）"


class OversightForm(forms.Form):
    member = forms.ModelChoiceField(label="班子成员", queryset=Member.objects.none(), empty_label=None)
    unit = forms.CharField(label="分管单位", max_length=200)
    head = forms.CharField(label="负责人姓名", max_length=100)

    def __init__(self, *args: Any, round_: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["member"].queryset = _members(round_)
