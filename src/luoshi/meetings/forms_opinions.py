"""Forms of the opinions pages. They only read input; `services_opinions` decides."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.conf import settings

from luoshi.ledger.models import Aspect, Problem
from luoshi.meetings.models import OpinionSource
from luoshi.meetings.services_opinions import STAFF_SOURCES, TEAM_LABEL
from luoshi.orgs.models import Member


def target_choices(members: Sequence[Member]) -> list[tuple[str, str]]:
    return [("", TEAM_LABEL), *((str(m.pk), f"{m.name}（{m.position}）") for m in members)]


def chosen_member(value: str, members: Sequence[Member]) -> Member | None:
    return next((m for m in members if str(m.pk) == value), None) if value else None


class PublicOpinionForm(forms.Form):
    text = forms.CharField(
        label="您的意见建议",
        widget=forms.Textarea(attrs={"rows": 8, "placeholder": "请如实填写对班子或班子成员的意见建议"}),
    )
    target = forms.ChoiceField(label="针对对象（可不选）", required=False)
    contact = forms.CharField(label="联系方式（可不填）", required=False, max_length=200)

    def __init__(self, *args: Any, members: Sequence[Member], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.members = members
        self.fields["target"].choices = target_choices(members)  # type: ignore[attr-defined]
        limit = int(settings.LUOSHI_OPINION_MAX_CHARS)
        self.fields["text"].widget.attrs["maxlength"] = str(limit)
        self.fields["text"].help_text = f"不超过 {limit} 字"

    @property
    def member(self) -> Member | None:
        return chosen_member(self.cleaned_data.get("target") or "", self.members)


class StaffOpinionForm(PublicOpinionForm):
    source = forms.ChoiceField(
        label="来源", choices=[(s.value, s.label) for s in STAFF_SOURCES], initial=OpinionSource.FORUM
    )
    received_on = forms.DateField(
        label="收到日期", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    field_order = ["source", "received_on", "text", "target", "contact"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["text"].label = "意见内容（原文照录）"


class ImportForm(forms.Form):
    file = forms.FileField(label="意见建议表格（.xlsx）")


class ClassifyForm(forms.Form):
    """One opinion's aspect and target. ASPECTS and MEMBERS are lists read once for a whole page of
    opinions (a queryset per form would be a query per opinion)."""

    aspect = forms.ChoiceField(label="方面", required=False)
    target = forms.ChoiceField(label="针对对象", required=False)

    def __init__(
        self, *args: Any, aspects: Sequence[Aspect], members: Sequence[Member], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.aspects = aspects
        self.members = members
        self.fields["aspect"].choices = [("", "（未定）"), *((str(a.pk), a.name) for a in aspects)]  # type: ignore[attr-defined]
        self.fields["target"].choices = target_choices(members)  # type: ignore[attr-defined]

    @property
    def aspect_chosen(self) -> Aspect | None:
        value = self.cleaned_data.get("aspect") or ""
        return next((a for a in self.aspects if str(a.pk) == value), None) if value else None

    @property
    def member(self) -> Member | None:
        return chosen_member(self.cleaned_data.get("target") or "", self.members)


class LinkProblemsForm(forms.Form):
    problems = forms.ModelMultipleChoiceField(
        label="本轮次的问题",
        queryset=Problem.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, problems: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["problems"].queryset = problems  # type: ignore[attr-defined]
        self.fields["problems"].label_from_instance = lambda p: f"{p.number}. {p.summary}"  # type: ignore[attr-defined]


class ProblemFromOpinionForm(forms.Form):
    summary = forms.CharField(label="问题概述", max_length=500)
