from __future__ import annotations

from typing import Any

from luoshi.meetings.figures import opinion_figures
from luoshi.meetings.models import Opinion, OpinionSource


def test_opinion_figures_count_each_source_and_list_zeros(round_: Any) -> None:
    Opinion.objects.create(round=round_, source=OpinionSource.PUBLIC, text="调研走过场")
    Opinion.objects.create(round=round_, source=OpinionSource.PUBLIC, text="会议太多")
    Opinion.objects.create(round=round_, source=OpinionSource.FORUM, text="窗口服务态度差")

    figures = opinion_figures(round_)

    assert figures.total == 3
    by_source = dict(figures.by_source)
    assert by_source["网上征求"] == 2
    assert by_source["座谈会"] == 1
    assert by_source["意见箱"] == 0
    assert [label for label, _ in figures.by_source] == [str(label) for _, label in OpinionSource.choices]


def test_preparation_figures_count_talks_in_person_times(round_: Any, team: Any) -> None:
    import datetime

    from luoshi.meetings.figures import preparation_figures
    from luoshi.meetings.models import StudySession, Talk, TalkMode
    from luoshi.orgs.models import Member

    secretary = Member.objects.create(team=team, name="张书记", position="党委书记")
    deputy = Member.objects.create(team=team, name="李副", position="副局长")
    third = Member.objects.create(team=team, name="王委", position="委员")
    day = datetime.date(2026, 11, 2)
    StudySession.objects.create(round=round_, date=day, topic="集中学习")
    StudySession.objects.create(round=round_, date=day, topic="专题研讨", seminar=True)
    one = Talk.objects.create(round=round_, initiator=secretary, date=day)
    one.partners.add(deputy)
    group = Talk.objects.create(
        round=round_, initiator=deputy, date=day, mode=TalkMode.GROUP, outside_partners="赵科长、钱主任"
    )
    group.partners.add(secretary, third)

    figures = preparation_figures(round_)

    assert (figures.study_sessions, figures.seminars) == (2, 1)
    assert figures.talks == 2
    assert figures.talk_person_times == 1 + 2 + 2
