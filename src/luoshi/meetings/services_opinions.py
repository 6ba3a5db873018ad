"""Opinions (征求意见): the public link, staff entry and .xlsx import, classification, forwarding to
their targets, and the problems they lead to. Every write is an audit event in the same transaction.

Who may see what is decided here and nowhere else:
- the round's organizers (组织者 of its organization or above) manage opinions and are the only
  ones who see contact details (`may_see_contact`);
- a team member sees the forwarded opinions about them and about the team, never contact details;
- everyone else sees nothing (a round they may not see is a 404 before this module is asked).

Contact details never leave through this module except to `may_see_contact` users: not in the audit
log, the .docx, notices or problems created from an opinion.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import io
import re
import secrets
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from luoshi.audit.chain import record
from luoshi.audit.models import Event, EventType
from luoshi.errors import Conflict, DomainError, Invalid, NotAllowed
from luoshi.ledger import planning
from luoshi.ledger.models import Aspect, Problem, Round, Source
from luoshi.meetings.models import Opinion, OpinionLink, OpinionSource, OpinionStatus
from luoshi.orgs.access import has_role
from luoshi.orgs.models import Member
from luoshi.text.errors import DocumentError
from luoshi.text.limits import check_xlsx, sheet_rows, strip_controls

STAFF_SOURCES = (OpinionSource.FORUM, OpinionSource.BOX, OpinionSource.INTERVIEW)
TEAM_LABEL = "班子整体"


# --- who may do and see what ----------------------------------------------------------------------


def _path(round_: Round) -> str:
    return round_.team.organization.path


def may_manage(user: Any, round_: Round) -> bool:
    """Organizers of the round's organization (or above) collect, classify and forward opinions."""
    return has_role(user, _path(round_), "manage")


def may_see_contact(user: Any, round_: Round) -> bool:
    """Contact details left with an opinion: the round's organizers (组织者) only."""
    return may_manage(user, round_)


def member_of(user: Any, round_: Round) -> Member | None:
    """USER's place on the round's team, if they have one."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Member.objects.filter(team_id=round_.team_id, user=user).first()


def forwarded_about(round_: Round, member: Member) -> QuerySet[Opinion]:
    """The opinions passed on to MEMBER: those about them and those about the whole team."""
    return (
        Opinion.objects.filter(round=round_, status=OpinionStatus.FORWARDED)
        .filter(Q(target_member=member) | Q(target_member__isnull=True))
        .select_related("aspect", "target_member")
    )


def may_read_member_page(user: Any, round_: Round, member: Member) -> bool:
    """A member reads their own page; the organizers read every member's."""
    return may_manage(user, round_) or (member.user_id is not None and member.user_id == user.pk)


def _require_manager(user: Any, round_: Round) -> None:
    if not may_manage(user, round_):
        raise NotAllowed("只有本单位（或上级单位）的组织者可以处理意见建议")


# --- the public link ------------------------------------------------------------------------------


def open_link(round_: Round, *, actor: Any, open: bool = True) -> OpinionLink:
    """Open (creating it the first time) or close ROUND's public opinion link."""
    _require_manager(actor, round_)
    with transaction.atomic():
        link = OpinionLink.objects.select_for_update().filter(round=round_).first()
        if link is None:
            link = OpinionLink.objects.create(round=round_, token=secrets.token_urlsafe(18), open=open)
        elif link.open == open:
            return link
        else:
            link.open = open
            if open:
                link.opened_at, link.closed_at = timezone.now(), None
            else:
                link.closed_at = timezone.now()
            link.save(update_fields=["open", "opened_at", "closed_at"])
        record(
            EventType.OPINION_LINK_CHANGED,
            link,
            actor=actor,
            new={"open": open, "round": round_.title},
            organization_path=_path(round_),
        )
    return link


def link_for_token(token: str) -> OpinionLink | None:
    return OpinionLink.objects.select_related("round__team__organization").filter(token=token).first()


# --- limits on the public link ---------------------------------------------------------------------


def max_chars() -> int:
    return int(settings.LUOSHI_OPINION_MAX_CHARS)


WINDOW_SECONDS = 3600


def _window_secret(window: int) -> bytes:
    """A random secret for one clock hour, kept in the cache only while that hour's counts live:
    once it is gone, a count's key can no longer be tied to any client."""
    key = f"luoshi-opinion-secret:{window}"
    secret = cache.get(key)
    if secret is None:
        cache.add(key, secrets.token_hex(32), timeout=WINDOW_SECONDS + 60)
        secret = cache.get(key)
    return str(secret).encode()


def take_submission_slot(client: str, *, now: float | None = None) -> bool:
    """Count one submission from CLIENT (its address and browser, as the view sees them) in this
    clock hour; False once it has sent LUOSHI_OPINION_PER_HOUR. Only a keyed hash of CLIENT is used,
    as a cache key that expires with the hour; nothing about the client is stored anywhere else."""
    window = int((now if now is not None else time.time()) // WINDOW_SECONDS)
    digest = hmac.new(_window_secret(window), client.encode("utf-8"), hashlib.sha256).hexdigest()
    key = f"luoshi-opinion-count:{window}:{digest}"
    cache.add(key, 0, timeout=WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr: a new hour
        cache.set(key, 1, timeout=WINDOW_SECONDS)
        count = 1
    return count <= int(settings.LUOSHI_OPINION_PER_HOUR)


# --- suggestions -----------------------------------------------------------------------------------

# Words that mark an aspect of the default framework; an opinion names its matter in plain words
# ("调研走过场", "公车私用"), rarely the aspect's own name.
ASPECT_HINTS: dict[str, tuple[str, ...]] = {
    "理论学习": ("学习", "理论", "读书", "学懂", "学用"),
    "政治素质": ("政治", "站位", "两个维护", "意识形态", "请示报告", "党性"),
    "能力本领": ("能力", "本领", "专业", "水平", "本事", "不会"),
    "担当作为": ("担当", "作为", "推诿", "拖延", "不敢", "不愿", "怕担责", "扯皮", "落实"),
    "工作作风": (
        "作风",
        "形式主义",
        "官僚主义",
        "调研",
        "走过场",
        "基层",
        "群众",
        "文山会海",
        "开会",
        "填表",
    ),
    "廉洁自律": ("廉洁", "吃喝", "公车", "八项规定", "亲属", "收受", "礼金", "利益", "打招呼"),
}


@dataclass(frozen=True)
class Suggestion:
    aspect: Aspect | None
    member: Member | None


def suggest_targets(round_: Round, texts: Sequence[str]) -> list[Suggestion]:
    """For each opinion text, the aspect of ROUND it most probably concerns and the member it names
    (None: the team). Suggestions only: staff confirm or change them when classifying.

    The aspect is the recurrence matcher's scoring (`luoshi.text.suggest`) against the round's own
    problems (each carrying its aspect) and each aspect's name with its hint words; when nothing
    scores, the aspect whose hint words the text holds most."""
    from luoshi.text.model import Problem as TextProblem
    from luoshi.text.suggest import suggest_problems

    aspects = list(round_.framework.aspects.all())
    members = _members_by_name(round_)
    references: list[TextProblem] = []
    reference_aspects: list[Aspect] = []
    for aspect in aspects:
        hints = " ".join(ASPECT_HINTS.get(aspect.name, ()))
        references.append(TextProblem(aspect=aspect.name, summary=aspect.name, text=hints))
        reference_aspects.append(aspect)
    by_id = {a.pk: a for a in aspects}
    for aspect_id, summary in Problem.objects.filter(round=round_, aspect__in=aspects).values_list(
        "aspect_id", "summary"
    )[:500]:
        references.append(TextProblem(aspect=by_id[aspect_id].name, summary=summary, text=summary))
        reference_aspects.append(by_id[aspect_id])
    scored = suggest_problems(references, list(texts)) if references else [() for _ in texts]
    found = []
    for text, suggestions in zip(texts, scored, strict=True):
        best = reference_aspects[suggestions[0].problem] if suggestions else _by_hints(text, aspects)
        found.append(Suggestion(aspect=best, member=_named_member(text, members)))
    return found


def _by_hints(text: str, aspects: Iterable[Aspect]) -> Aspect | None:
    best, best_count = None, 0
    for aspect in aspects:
        count = sum(text.count(word) for word in (aspect.name, *ASPECT_HINTS.get(aspect.name, ())))
        if count > best_count:
            best, best_count = aspect, count
    return best


def _members_by_name(round_: Round) -> list[Member]:
    return list(Member.objects.filter(team_id=round_.team_id, active=True).order_by("order", "pk"))


def _named_member(text: str, members: Sequence[Member]) -> Member | None:
    """The one member TEXT names: by full name, else by a position only that member holds ("县长" in
    "县委副书记、县长"). Longer positions are read first and taken out of the text, so "常务副县长"
    is not also read as "县长". Several people named, or none: None (staff decide)."""
    named = {m.pk: m for m in members if m.name and m.name in text}
    if named:
        return next(iter(named.values())) if len(named) == 1 else None
    holders: dict[str, dict[int, Member]] = {}
    for member in members:
        for part in re.split(r"[、，,；;\s]+", member.position or ""):
            if len(part) >= 2:
                holders.setdefault(part, {})[member.pk] = member
    rest = text
    for part in sorted(holders, key=len, reverse=True):
        if part in rest:
            named.update(holders[part] if len(holders[part]) == 1 else {})
            rest = rest.replace(part, "\0")
    return next(iter(named.values())) if len(named) == 1 else None


# --- receiving opinions ----------------------------------------------------------------------------


def _clean_text(text: str) -> str:
    text = strip_controls(text or "").strip()
    if not text:
        raise Invalid("请填写意见建议的内容")
    if len(text) > max_chars():
        raise Invalid(f"意见建议不能超过 {max_chars()} 字（现有 {len(text)} 字），请精简后再提交")
    return text


def _clean_contact(contact: str) -> str:
    contact = strip_controls(contact or "").strip()
    if len(contact) > 200:
        raise Invalid("联系方式不能超过 200 字")
    return contact


def _target_in(round_: Round, target: Member | None) -> Member | None:
    if target is not None and target.team_id != round_.team_id:
        raise Invalid("意见建议只能针对本班子或本班子的成员")
    return target


def _received_event(opinion: Opinion, actor: Any) -> None:
    # Never the contact details, nor anything about the client: who sent a public opinion is not
    # the log's business.
    record(
        EventType.OPINION_RECEIVED,
        opinion,
        actor=actor,
        new={
            "source": opinion.source,
            "round": opinion.round.title,
            "target": str(opinion.target_member) if opinion.target_member else TEAM_LABEL,
            "chars": len(opinion.text),
        },
        organization_path=_path(opinion.round),
    )


def submit_public(link: OpinionLink, *, text: str, target: Member | None, contact: str) -> Opinion:
    """An opinion sent through ROUND's public link (no login). Anonymous unless CONTACT is given.
    The caller has already counted the client against the hourly limit."""
    round_ = link.round
    if not link.open or round_.archived:
        raise Conflict("本次征求意见已结束，链接已关闭，感谢您的关注")
    text, contact = _clean_text(text), _clean_contact(contact)
    target = _target_in(round_, target)
    suggestion = suggest_targets(round_, [text])[0]
    with transaction.atomic():
        opinion = Opinion.objects.create(
            round=round_,
            source=OpinionSource.PUBLIC,
            text=text,
            target_member=target or suggestion.member,
            aspect=suggestion.aspect,
            anonymous=not contact,
            contact=contact,
        )
        _received_event(opinion, "公开征求意见链接")
    return opinion


def enter_opinion(
    round_: Round,
    *,
    actor: Any,
    source: str,
    text: str,
    target: Member | None = None,
    contact: str = "",
    received_on: datetime.date | None = None,
) -> Opinion:
    """An opinion staff took down at a 座谈会, from the 意见箱 or in a 个别访谈."""
    _require_manager(actor, round_)
    if source not in STAFF_SOURCES:
        raise Invalid("来源须为座谈会、意见箱或个别访谈")
    text, contact = _clean_text(text), _clean_contact(contact)
    target = _target_in(round_, target)
    suggestion = suggest_targets(round_, [text])[0]
    with transaction.atomic():
        opinion = Opinion.objects.create(
            round=round_,
            source=source,
            text=text,
            target_member=target or suggestion.member,
            aspect=suggestion.aspect,
            anonymous=not contact,
            contact=contact,
            entered_by=actor,
            received_at=_received_at(received_on),
        )
        _received_event(opinion, actor)
    return opinion


def _received_at(day: datetime.date | None) -> datetime.datetime:
    if day is None:
        return timezone.now()
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


# --- the spreadsheet -------------------------------------------------------------------------------

HEADERS = {
    "意见内容": "text",
    "意见建议": "text",
    "意见": "text",
    "内容": "text",
    "针对对象": "target",
    "对象": "target",
    "针对": "target",
    "来源": "source",
    "联系方式": "contact",
    "联系人": "contact",
    "日期": "date",
    "收到日期": "date",
}
SOURCE_WORDS = {
    "座谈": OpinionSource.FORUM,
    "意见箱": OpinionSource.BOX,
    "访谈": OpinionSource.INTERVIEW,
    "个别": OpinionSource.INTERVIEW,
    "网": OpinionSource.PUBLIC,
}
TEAM_WORDS = {"", "班子", "班子整体", "领导班子", "集体", "全体"}
MAX_HEADER_SEARCH = 10


@dataclass
class ImportRow:
    row: int
    text: str = ""
    target_id: int | None = None
    target_label: str = TEAM_LABEL
    source: str = OpinionSource.SPREADSHEET
    contact: str = ""
    date: str = ""
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error

    @property
    def source_label(self) -> str:
        return str(OpinionSource(self.source).label)


@dataclass
class ImportPreview:
    name: str
    sha256: str
    rows: list[ImportRow] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return sum(1 for r in self.rows if not r.ok)

    def payload(self) -> dict[str, Any]:
        """What the confirmation posts back (signed by the view): the good rows only."""
        return {
            "name": self.name,
            "sha256": self.sha256,
            "rows": [
                {
                    "row": r.row,
                    "text": r.text,
                    "target": r.target_id,
                    "source": r.source,
                    "contact": r.contact,
                    "date": r.date,
                }
                for r in self.rows
                if r.ok
            ],
        }


def preview_xlsx(round_: Round, data: bytes, *, actor: Any, name: str = "") -> ImportPreview:
    """Read an .xlsx of opinions (表头：意见内容/意见建议、针对对象、来源、联系方式) into a preview;
    nothing is saved. Raises Invalid for a file that is not a readable workbook, has no header, or
    was imported into this round before."""
    from luoshi.web.uploads import import_limits, max_upload_bytes, too_large

    _require_manager(actor, round_)
    if len(data) > max_upload_bytes():
        raise Invalid(too_large(name))
    digest = hashlib.sha256(data).hexdigest()
    if _imported_before(round_, digest):
        raise Invalid(f"文件“{name}”已导入过本轮次，不再重复导入")
    preview = ImportPreview(name=name, sha256=digest)
    members = _members_by_name(round_)
    by_name = {m.name: m for m in members}
    header: dict[int, str] | None = None
    for number, values in _read_rows(data, name, import_limits()):
        if header is None:
            found = {
                i: HEADERS[str(v).strip()] for i, v in enumerate(values) if str(v or "").strip() in HEADERS
            }
            if "text" in found.values():
                header = found
            elif number >= MAX_HEADER_SEARCH:
                break
            continue
        cells = {key: values[i] if i < len(values) else None for i, key in header.items()}
        if all(v is None or str(v).strip() == "" for v in cells.values()):
            continue
        preview.rows.append(_import_row(number, cells, by_name, members))
    if header is None:
        raise Invalid(
            f"文件“{name}”前 {MAX_HEADER_SEARCH} 行中没有找到表头（须有“意见内容”或“意见建议”一列）"
        )
    if not preview.rows:
        raise Invalid(f"文件“{name}”中没有意见建议")
    return preview


def _import_row(
    number: int, cells: dict[str, Any], by_name: dict[str, Member], members: Sequence[Member]
) -> ImportRow:
    row = ImportRow(row=number)
    try:
        row.text = _clean_text(str(cells.get("text") or ""))
        row.contact = _clean_contact(str(cells.get("contact") or ""))
        who = re.sub(r"[（(].*?[）)]|同志", "", str(cells.get("target") or "")).strip()
        if who not in TEAM_WORDS:
            member = by_name.get(who) or _named_member(who, members)
            if member is None:
                raise Invalid(f"针对对象“{who}”不是本班子的成员（可填成员姓名，或“班子”）")
            row.target_id, row.target_label = member.pk, str(member)
        source = str(cells.get("source") or "").strip()
        if source:
            row.source = next(
                (value for word, value in SOURCE_WORDS.items() if word in source), OpinionSource.SPREADSHEET
            )
        day = cells.get("date")
        if isinstance(day, datetime.datetime):
            row.date = day.date().isoformat()
        elif isinstance(day, datetime.date):
            row.date = day.isoformat()
    except Invalid as error:
        row.error = error.message
    return row


def _imported_before(round_: Round, digest: str) -> bool:
    return Event.objects.filter(
        event_type=EventType.OPINIONS_IMPORTED,
        target_type="ledger.round",
        target_id=str(round_.pk),
        new__sha256=digest,
    ).exists()


def _read_rows(data: bytes, name: str, limits: Any) -> list[tuple[int, tuple[Any, ...]]]:
    from openpyxl import load_workbook

    try:
        check_xlsx(data, name, limits)  # zip and XML bombs refused before openpyxl reads a part
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0]
            return list(enumerate(sheet_rows(sheet.iter_rows(values_only=True), name, limits), 1))
        finally:
            workbook.close()
    except DocumentError as error:
        raise Invalid(str(error)) from None
    except DomainError:
        raise
    except Exception:  # openpyxl raises many kinds on a damaged or foreign file
        raise Invalid(f"文件“{name}”不是可读取的 Excel（.xlsx）表格") from None


def confirm_import(round_: Round, payload: dict[str, Any], *, actor: Any) -> list[Opinion]:
    """Record the rows of a confirmed preview (PAYLOAD, as `ImportPreview.payload` gave it) in one
    transaction, each with its source; one audit event for the file, one per opinion."""
    _require_manager(actor, round_)
    rows = payload.get("rows") or []
    if not rows:
        raise Invalid("没有可导入的意见建议")
    members = {m.pk: m for m in Member.objects.filter(team_id=round_.team_id)}
    texts = [_clean_text(str(r["text"])) for r in rows]
    suggestions = suggest_targets(round_, texts)
    created = []
    with transaction.atomic():
        locked = Round.objects.select_for_update().get(pk=round_.pk)
        if _imported_before(locked, str(payload.get("sha256", ""))):
            raise Conflict(f"文件“{payload.get('name', '')}”已导入过本轮次，不再重复导入")
        for row, text, suggestion in zip(rows, texts, suggestions, strict=True):
            target = members.get(row.get("target")) if row.get("target") else None
            contact = _clean_contact(str(row.get("contact") or ""))
            source = row.get("source") or OpinionSource.SPREADSHEET
            if source not in OpinionSource.values:
                source = OpinionSource.SPREADSHEET
            day = datetime.date.fromisoformat(row["date"]) if row.get("date") else None
            opinion = Opinion.objects.create(
                round=round_,
                source=source,
                text=text,
                target_member=target or suggestion.member,
                aspect=suggestion.aspect,
                anonymous=not contact,
                contact=contact,
                entered_by=actor,
                received_at=_received_at(day),
            )
            _received_event(opinion, actor)
            created.append(opinion)
        record(
            EventType.OPINIONS_IMPORTED,
            locked,
            actor=actor,
            new={"name": payload.get("name", ""), "sha256": payload.get("sha256", ""), "rows": len(created)},
            organization_path=_path(round_),
        )
    return created


# --- classifying, forwarding, linking --------------------------------------------------------------


def _locked(opinion: Opinion) -> Opinion:
    return Opinion.objects.select_for_update().select_related("round__team__organization").get(pk=opinion.pk)


def classify(opinion: Opinion, *, actor: Any, aspect: Aspect | None, target: Member | None) -> Opinion:
    """Staff confirm or change an opinion's aspect and target: 待分类 → 已分类 (an opinion already
    classified or forwarded can be corrected; it keeps its status)."""
    round_ = opinion.round
    _require_manager(actor, round_)
    if aspect is not None and aspect.framework_id != round_.framework_id:
        raise Invalid("所选方面不属于本轮次的检视框架")
    target = _target_in(round_, target)
    with transaction.atomic():
        locked = _locked(opinion)
        old = {
            "aspect": locked.aspect.name if locked.aspect else "",
            "target": str(locked.target_member) if locked.target_member else TEAM_LABEL,
            "status": locked.status,
        }
        locked.aspect, locked.target_member = aspect, target
        if locked.status == OpinionStatus.RECEIVED:
            locked.status = OpinionStatus.CLASSIFIED
        locked.save(update_fields=["aspect", "target_member", "status"])
        record(
            EventType.OPINION_CLASSIFIED,
            locked,
            actor=actor,
            old=old,
            new={
                "aspect": aspect.name if aspect else "",
                "target": str(target) if target else TEAM_LABEL,
                "status": locked.status,
            },
            organization_path=_path(round_),
        )
    return locked


def forward(round_: Round, *, actor: Any) -> list[Opinion]:
    """Pass every classified opinion of ROUND on to its target (已分类 → 已转交), verbatim. Each target
    member with a login gets an inbox notice (no text of the opinions, no contact details)."""
    _require_manager(actor, round_)
    with transaction.atomic():
        opinions = list(
            Opinion.objects.select_for_update(of=("self",))
            .filter(round=round_, status=OpinionStatus.CLASSIFIED)
            .select_related("target_member")
        )
        if not opinions:
            raise Conflict("没有已分类、待转交的意见建议（请先确认分类）")
        Opinion.objects.filter(pk__in=[o.pk for o in opinions]).update(status=OpinionStatus.FORWARDED)
        for opinion in opinions:
            opinion.status = OpinionStatus.FORWARDED
        counts: dict[str, int] = {}
        for opinion in opinions:
            label = str(opinion.target_member) if opinion.target_member else TEAM_LABEL
            counts[label] = counts.get(label, 0) + 1
        record(
            EventType.OPINIONS_FORWARDED,
            round_,
            actor=actor,
            new={"opinions": [o.pk for o in opinions], "by_target": counts},
            organization_path=_path(round_),
        )
        _notify_targets(round_, opinions)  # written on commit
    return opinions


def _notify_targets(round_: Round, opinions: Sequence[Opinion]) -> None:
    from django.urls import reverse

    from luoshi.notices.services import notify

    team_count = sum(1 for o in opinions if o.target_member_id is None)
    members = Member.objects.filter(team_id=round_.team_id, active=True, user__isnull=False)
    for member in members:
        own = sum(1 for o in opinions if o.target_member_id == member.pk)
        if not own and not team_count:
            continue
        notify(
            member.user,
            f"{round_.title}：转交给您的意见建议 {own} 条、对班子的意见建议 {team_count} 条，请查阅原文。",
            reverse("opinion_member", args=[round_.pk, member.pk]),
        )


def link_problems(opinion: Opinion, problems: Iterable[Problem], *, actor: Any) -> Opinion:
    """Record that OPINION led to PROBLEMS (problems of the same round; replaces the earlier links)."""
    round_ = opinion.round
    _require_manager(actor, round_)
    chosen = list(problems)
    if any(p.round_id != round_.pk for p in chosen):
        raise Invalid("只能关联本轮次的问题")
    with transaction.atomic():
        locked = _locked(opinion)
        old = sorted(locked.problems.values_list("number", flat=True))
        locked.problems.set(chosen)
        record(
            EventType.OPINION_LINKED,
            locked,
            actor=actor,
            old={"problems": old},
            new={"problems": sorted(p.number for p in chosen)},
            organization_path=_path(round_),
        )
    return locked


def problem_draft(opinion: Opinion) -> dict[str, Any]:
    """What a problem created from OPINION will hold, for the confirmation page."""
    first = re.split(r"(?<=[。！？；!?;])", opinion.text.strip(), maxsplit=1)[0]
    return {
        "summary": first[:200],
        "aspect": opinion.aspect,
        "member": opinion.target_member,
        "source": Source.OPINION,
    }


def create_problem(opinion: Opinion, *, actor: Any, summary: str) -> Problem:
    """A new problem of the round from OPINION (source 征求意见; for an opinion about a member, that
    member's own problem), linked to it. Its text is the opinion verbatim, never its contact."""
    round_ = opinion.round
    _require_manager(actor, round_)
    summary = strip_controls(summary or "").strip()
    if not summary:
        raise Invalid("请填写问题概述")
    with transaction.atomic():
        locked_round = Round.objects.select_for_update().get(pk=round_.pk)
        locked = _locked(opinion)
        path = _path(round_)
        problem = planning.add_problem(
            locked_round,
            actor=actor,
            organization_path=path,
            # "to" (对象) as the problem's history labels it: whose problem it is.
            event={"to": str(locked.target_member) if locked.target_member else "领导班子"},
            aspect=locked.aspect,
            aspect_label=locked.aspect.name if locked.aspect else "",
            source=Source.OPINION,
            summary=summary[:500],
            text=locked.text,
            member=locked.target_member,
        )
        number = problem.number
        old = sorted(locked.problems.values_list("number", flat=True))
        locked.problems.add(problem)
        record(
            EventType.OPINION_LINKED,
            locked,
            actor=actor,
            old={"problems": old},
            new={"problems": [*old, number]},
            organization_path=path,
        )
    return problem


# --- grouping ---------------------------------------------------------------------------------------


@dataclass
class AspectGroup:
    aspect: str
    opinions: list[Opinion]


@dataclass
class TargetGroup:
    target: str
    member: Member | None
    aspects: list[AspectGroup]

    @property
    def count(self) -> int:
        return sum(len(a.opinions) for a in self.aspects)


def grouped(opinions: Iterable[Opinion], round_: Round) -> list[TargetGroup]:
    """OPINIONS grouped by target (the team first, then members in the team's order) and by aspect
    (in the framework's order; unclassified last)."""
    members = list(Member.objects.filter(team_id=round_.team_id).order_by("order", "pk"))
    aspects = list(round_.framework.aspects.all())
    aspect_rank = {a.pk: i for i, a in enumerate(aspects)}
    by_target: dict[int | None, dict[int | None, list[Opinion]]] = {}
    for opinion in opinions:
        by_target.setdefault(opinion.target_member_id, {}).setdefault(opinion.aspect_id, []).append(opinion)
    names = {a.pk: a.name for a in aspects}
    groups = []
    for member in [None, *members]:
        key = member.pk if member else None
        if key not in by_target:
            continue
        by_aspect = by_target[key]
        ordered = sorted(by_aspect, key=lambda a: aspect_rank.get(a, len(aspects)) if a else len(aspects) + 1)
        groups.append(
            TargetGroup(
                target=f"{member.name}同志（{member.position}）" if member else "领导班子",
                member=member,
                aspects=[AspectGroup(names.get(a, "其他") if a else "其他", by_aspect[a]) for a in ordered],
            )
        )
    return groups


def grouped_docx(round_: Round, opinions: Iterable[Opinion], *, today: datetime.date | None = None) -> bytes:
    """The forwarded opinions grouped by target and aspect, verbatim, as a GB/T 9704 .docx (no
    contact details, no sources' identities)."""
    from luoshi.reports.docx_layout import OfficialDocument

    today = today or timezone.localdate()
    round_ = Round.objects.select_related("team__organization", "framework").get(pk=round_.pk)
    groups = grouped(opinions, round_)
    doc = OfficialDocument()
    doc.title(f"{round_.title}征求意见情况（原汁原味转交）")
    total = sum(g.count for g in groups)
    doc.body(
        f"本次征求意见共收集并转交意见建议{total}条，按针对对象和方面分类，原文照录，"
        "不作修改，供对照检查和批评与自我批评时参考。"
    )
    for index, group in enumerate(groups, 1):
        doc.heading1(f"{_chinese_number(index)}、对{group.target}的意见建议（{group.count}条）")
        for sub, aspect in enumerate(group.aspects, 1):
            doc.heading2(f"（{_chinese_number(sub)}）{aspect.aspect}方面")
            for number, opinion in enumerate(aspect.opinions, 1):
                doc.body(f"{number}. {opinion.text}")
    if not groups:
        doc.body("暂无转交的意见建议。")
    doc.signature(round_.team.organization.name, today)
    return doc.to_bytes()


_DIGITS = "零一二三四五六七八九"


def _chinese_number(n: int) -> str:
    if n < 10:
        return _DIGITS[n]
    if n < 20:
        return "十" + (_DIGITS[n % 10] if n % 10 else "")
    return _DIGITS[n // 10] + "十" + (_DIGITS[n % 10] if n % 10 else "")
