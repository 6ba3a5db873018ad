"""Forms of the indicator pages. They only read input; the rules live in `services`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from luoshi.indicators.models import ActivityKind, Indicator, Period, Scope
from luoshi.ledger.forms import DateInput, WorkForm
from luoshi.ledger.models import Commitment, Measure
from luoshi.orgs.models import Member, Team

NUMBER_ATTRS = {"inputmode": "numeric", "min": "0"}


class IndicatorForm(WorkForm):
    name = forms.CharField(label="指标名称", max_length=300)
    kind = forms.ChoiceField(label="计入的履职记录", choices=ActivityKind.choices)
    scope = forms.ChoiceField(label="对象", choices=Scope.choices)
    member = forms.ModelChoiceField(label="指定成员", queryset=Member.objects.none(), required=False)
    period = forms.ChoiceField(label="周期", choices=Period.choices, initial=Period.MONTH)
    op = forms.ChoiceField(label="比较", choices=Commitment.Op.choices)
    target = forms.DecimalField(label="目标值", min_value=0, max_digits=14, decimal_places=4)
    unit = forms.CharField(label="单位", max_length=20, required=False, initial="次")
    start = forms.DateField(label="开始日期（默认：本轮整改期）", required=False, widget=DateInput())
    end = forms.DateField(label="结束日期", required=False, widget=DateInput())
    measure = forms.ModelChoiceField(
        label="所属措施（可选）", queryset=Measure.objects.none(), required=False
    )

    def __init__(self, *args: Any, team: Team, round_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = Member.objects.filter(team=team, active=True)  # type: ignore[attr-defined]
        self.fields["measure"].queryset = Measure.objects.filter(round_id=round_id)  # type: ignore[attr-defined]


class ActivityForm(WorkForm):
    """The quick entry: who (own record, or on someone's behalf), when, what, how many, where."""

    who = forms.ChoiceField(label="填报对象")
    date = forms.DateField(label="日期", widget=DateInput())
    kind = forms.ChoiceField(label="类别", choices=ActivityKind.choices)
    count = forms.IntegerField(
        label="次数",
        min_value=1,
        max_value=1000,
        initial=1,
        required=False,
        widget=forms.NumberInput(NUMBER_ATTRS),
    )
    households = forms.IntegerField(
        label="入户数（走访时，可选）",
        min_value=0,
        max_value=10000,
        required=False,
        widget=forms.NumberInput(NUMBER_ATTRS),
    )
    indicator = forms.ModelChoiceField(
        label="报告数值所属指标", queryset=Indicator.objects.none(), required=False
    )
    value = forms.DecimalField(label="数值", required=False, max_digits=14, decimal_places=4)
    place = forms.CharField(label="地点", max_length=200, required=False)
    note = forms.CharField(
        label="简要说明", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    photo = forms.FileField(label="照片（可选，不作要求）", required=False)
    reason = forms.CharField(label="更正原因", max_length=300, required=False)

    def __init__(
        self,
        *args: Any,
        who: list[tuple[str, str]],
        figures: Any = None,
        correcting: bool = False,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("initial", {"date": timezone.localdate(), "count": 1})
        super().__init__(*args, **kwargs)
        self.fields["who"].choices = who  # type: ignore[attr-defined]
        if len(who) == 1:
            self.fields["who"].widget = forms.HiddenInput()
            self.initial.setdefault("who", who[0][0])
        if figures is not None:
            self.fields["indicator"].queryset = figures  # type: ignore[attr-defined]
        if correcting:  # a correction keeps the photo; it asks why instead
            del self.fields["photo"]
        else:
            del self.fields["reason"]
            self.fields["photo"].widget.attrs["accept"] = "image/jpeg,image/png"


class ActivityImportForm(WorkForm):
    file = forms.FileField(
        label="履职记录表格（.xlsx）", widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"})
    )
