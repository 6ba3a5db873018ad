"""Sending notices once the change that caused them has committed."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from luoshi.notices.models import Notice
from luoshi.scope import forget, request_memo
from luoshi.text.shorten import shorten

_UNREAD = "unread"  # the request memo's key (luoshi.scope): (user id, count)
# A user's unread notices, the one parameter their id (also read with the session: luoshi.accounts.prelude).
UNREAD_SQL = f"SELECT COUNT(*) FROM {Notice._meta.db_table} WHERE user_id = %s AND read_at IS NULL"

NOTICE_LIMIT = 500  # Notice.text


def notify(user: Any, text: str, url: str = "", *, topic: str = "") -> None:
    """Queue a notice for USER, written only if the surrounding transaction commits. TOPIC names
    what it asks USER to handle, so the notice is marked done once that is handled (`mark_done`)."""
    if user is None or not getattr(user, "pk", None):
        return
    user_id = user.pk
    text = shorten(text, NOTICE_LIMIT)

    def write() -> None:
        Notice.objects.create(user_id=user_id, text=text, url=url[:300], topic=topic[:80])
        forget_unread()

    transaction.on_commit(write)


def mark_done(*topics: str) -> None:
    """Once the surrounding transaction commits, mark every notice about TOPICS handled (and read:
    a handled item no longer waits for anyone, so it leaves the unread count)."""
    wanted = [t for t in topics if t]
    if not wanted:
        return

    def go() -> None:
        now = timezone.now()
        waiting = Notice.objects.filter(topic__in=wanted, done_at__isnull=True)
        waiting.filter(read_at__isnull=True).update(done_at=now, read_at=now)
        waiting.update(done_at=now)
        forget_unread()

    transaction.on_commit(go)


def remember_unread(user_id: int, count: int) -> None:
    """Keep USER_ID's unread count, read with something else (luoshi.accounts.prelude), for the rest
    of this request."""
    memo = request_memo()
    if memo is not None:
        memo[_UNREAD] = (user_id, count)


def forget_unread() -> None:
    """Notices were written or marked read: an unread count read earlier in this request is stale."""
    forget(_UNREAD)


def _remembered_unread(user_id: int) -> int | None:
    memo = request_memo()
    found = None if memo is None else memo.get(_UNREAD)
    return found[1] if found is not None and found[0] == user_id else None


def unread_count(user: Any) -> int:
    if not user.is_authenticated:
        return 0
    remembered = _remembered_unread(user.pk)
    if remembered is not None:
        return remembered
    # Plain SQL: the navigation bar asks this on every page, and building the ORM's count query
    # (Notice.objects.filter(user=user, read_at__isnull=True).count()) costs more than running it.
    with connection.cursor() as cursor:
        cursor.execute(UNREAD_SQL, [user.pk])
        count = int(cursor.fetchone()[0])
    remember_unread(user.pk, count)
    return count


def navigation_counts(user: Any, *, mine: bool, review: bool) -> dict[str, int]:
    """USER's unread notices and, when asked, the measures waiting for their work (MINE: owned,
    未开始 / 整改中 / 已退回) and what waits in their 待验收 (REVIEW: submitted measures they may
    verify, and extension requests they may decide).

    The unread count is read on every page, with the audit chain's head in the same query. The work
    counts can cost a scan of every measure a province-level reviewer oversees, so they are kept in the
    cache under the user and that head: every change of a measure, a review, a role or an extension
    appends an audit event, so a cached count is never stale. One query when nothing has changed, two
    after a change.

    The 待验收 count leaves out what four eyes excludes as the queue does, by the records of the
    database (owned, submitted, progress or evidence recorded by the reviewer); the queue's last
    check (a former owner, read from the audit log) may still drop one it counted."""
    if not user.is_authenticated:
        return {"unread": 0, "mine": 0, "review": 0}
    from luoshi.audit.chain import current_head, remember_head
    from luoshi.audit.models import ChainHead

    unread = _remembered_unread(user.pk)
    if unread is not None:  # read with the session (luoshi.accounts.prelude)
        head: int | None = current_head()[0]
    else:
        with connection.cursor() as cursor:
            head_table = ChainHead._meta.db_table
            cursor.execute(
                f"SELECT ({UNREAD_SQL}), (SELECT seq FROM {head_table} WHERE id = 1), (SELECT hash FROM {head_table} WHERE id = 1)",
                [user.pk],
            )
            unread, head, head_hash = cursor.fetchone()
        remember_unread(user.pk, int(unread))
        remember_head((int(head), str(head_hash)) if head is not None else (0, ""))
    if not (mine or review):
        return {"unread": int(unread), "mine": 0, "review": 0}
    key = f"luoshi-nav-counts:{user.pk}:{int(mine)}{int(review)}:{head or 0}"
    counts = cache.get(key)
    if counts is None:
        counts = _work_counts(user, mine=mine, review=review)
        cache.set(key, counts, NAV_COUNTS_SECONDS)
    return {"unread": int(unread), **counts}


# How long unchanged work counts are kept (they are keyed by the audit chain's head, so this only
# bounds the cache's size, not staleness).
NAV_COUNTS_SECONDS = 600


def _work_counts(user: Any, *, mine: bool, review: bool) -> dict[str, int]:
    """The counts behind navigation_counts, in one query (the counts as subqueries)."""
    from django.db.models import Exists, OuterRef

    from luoshi.ledger.models import Evidence, Extension, Measure, ProgressUpdate
    from luoshi.ledger.states import OPEN_STATUSES, MeasureStatus

    counted: list[tuple[str, Any]] = []
    if mine:
        waiting = (MeasureStatus.PLANNED, MeasureStatus.IN_PROGRESS, MeasureStatus.RETURNED)
        counted.append(
            ("mine", Measure.objects.for_user(user, "work").owned_by(user).filter(status__in=waiting))
        )
    if review:
        reviewable = Measure.objects.for_user(user, "review")
        worked = Exists(ProgressUpdate.objects.filter(measure=OuterRef("pk"), author=user)) | Exists(
            Evidence.objects.filter(measure=OuterRef("pk"), uploaded_by=user)
        )
        submitted = (
            reviewable.filter(status=MeasureStatus.SUBMITTED).exclude(submitted_by=user).exclude(worked)
        )
        extensions = Extension.objects.filter(
            status=Extension.Status.REQUESTED,
            measure__in=reviewable,
            measure__status__in=OPEN_STATUSES,
        ).exclude(requested_by=user)
        counted += [("review", submitted), ("review_ext", extensions)]
    parts = []
    for name, queryset in counted:
        sql, params = queryset.order_by().values("pk").query.sql_with_params()
        parts.append((name, f"SELECT COUNT(*) FROM ({sql}) counted_{name}", list(params)))
    query = "SELECT " + ", ".join(f"({sql})" for _name, sql, _params in parts)
    with connection.cursor() as cursor:
        cursor.execute(query, [p for _name, _sql, params in parts for p in params])
        row = cursor.fetchone()
    found = {name: int(value) for (name, _sql, _params), value in zip(parts, row, strict=True)}
    return {"mine": found.get("mine", 0), "review": found.get("review", 0) + found.get("review_ext", 0)}


# --- channels and preferences ---------------------------------------------------------------------

CHANNEL_KINDS = ("email", "dingtalk", "wecom", "webhook")


def _public_config(kind: str, config: dict[str, Any]) -> dict[str, Any]:
    """What the audit log may keep of a channel's settings: no secrets, no robot tokens in URLs."""
    from luoshi.notices.channels import _safe_url

    shown = {k: v for k, v in config.items() if k != "url"}
    if "url" in config:
        shown["url"] = _safe_url(str(config["url"]))
    return shown


def clean_config(kind: str, config: dict[str, Any]) -> dict[str, Any]:
    """Check a channel's settings; raises Invalid with the field that is wrong."""
    from urllib.parse import urlsplit

    from luoshi.errors import Invalid

    if kind not in CHANNEL_KINDS:
        raise Invalid(f"未知的渠道类型：{kind}（可选 {'、'.join(CHANNEL_KINDS)}）")
    cleaned = {k: str(v).strip() for k, v in config.items() if str(v).strip()}
    if kind == "email":
        if not cleaned.get("host"):
            raise Invalid("请填写 SMTP 服务器")
        port = cleaned.get("port", "25")
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise Invalid("SMTP 端口应为 1–65535 的整数")
        security = cleaned.get("security", "starttls")
        if security not in ("starttls", "ssl", "none"):
            raise Invalid("加密方式应为 starttls、ssl 或 none")
        if not cleaned.get("from") or "@" not in cleaned["from"]:
            raise Invalid("请填写发件人地址")
        return {
            "host": cleaned["host"],
            "port": int(port),
            "security": security,
            "username": cleaned.get("username", ""),
            "from": cleaned["from"],
        }
    url = cleaned.get("url", "")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise Invalid("请填写以 http:// 或 https:// 开头的 Webhook 地址")
    return {"url": url}


@transaction.atomic
def add_channel(
    organization: Any, *, actor: Any, kind: str, name: str, config: dict[str, Any], secret: str = ""
) -> Any:
    """Add a channel to ORGANIZATION (its organizers, or those above). The secret is stored, never logged."""
    from luoshi.audit.chain import record
    from luoshi.audit.models import EventType
    from luoshi.errors import Conflict, Invalid, NotAllowed
    from luoshi.notices.models import Channel
    from luoshi.orgs.access import has_role

    if not has_role(actor, organization.path, "manage"):
        raise NotAllowed("只有本单位（或上级单位）的组织者可以配置通知渠道")
    name = name.strip()[:100]
    if not name:
        raise Invalid("请填写渠道名称")
    cleaned = clean_config(kind, config)
    if Channel.objects.filter(organization=organization, name=name).exists():
        raise Conflict(f"本单位已有名为“{name}”的通知渠道")
    channel = Channel.objects.create(
        organization=organization, kind=kind, name=name, config=cleaned, secret=secret.strip()
    )
    record(
        EventType.CHANNEL_ADDED,
        channel,
        actor=actor if getattr(actor, "pk", None) else str(actor),
        new={"name": name, "kind": kind, "config": _public_config(kind, cleaned), "secret_set": bool(secret)},
        organization_path=organization.path,
    )
    return channel


@transaction.atomic
def remove_channel(channel: Any, *, actor: Any) -> None:
    from luoshi.audit.chain import record
    from luoshi.audit.models import EventType
    from luoshi.errors import NotAllowed
    from luoshi.orgs.access import has_role

    path = channel.organization.path
    if not has_role(actor, path, "manage"):
        raise NotAllowed("只有本单位（或上级单位）的组织者可以删除通知渠道")
    record(
        EventType.CHANNEL_REMOVED,
        channel,
        actor=actor if getattr(actor, "pk", None) else str(actor),
        old={"name": channel.name, "kind": channel.kind},
        organization_path=path,
    )
    channel.delete()


def try_channel(channel: Any, *, actor: Any, to_email: str = "") -> None:
    """Send a test message through CHANNEL now; raises SendError (safe to show) when it fails."""
    from luoshi.errors import NotAllowed
    from luoshi.notices.channels import Message, absolute_url, send
    from luoshi.orgs.access import has_role

    if not has_role(actor, channel.organization.path, "manage"):
        raise NotAllowed("只有组织者可以测试通知渠道")
    name = actor.get_full_name() or actor.get_username() if getattr(actor, "pk", None) else "管理员"
    send(
        channel,
        Message(
            subject="落实通知渠道测试",
            body=f"这是一条测试消息：{channel.organization.name}的“{channel.name}”可以送达。",
            url=absolute_url("/"),
            recipient_name=name,
            recipient_email=to_email or getattr(actor, "email", "") or "",
            rule="test",
            key="test",
        ),
    )


def save_preference(user: Any, *, mode: str, kinds: list[str], quiet_hours: str = "") -> Any:
    """A person's own choice of how to be reached: their setting, not a change to the ledger."""
    from luoshi.errors import Invalid
    from luoshi.notices.models import DeliveryMode, Preference

    if mode not in DeliveryMode.values:
        raise Invalid("接收方式应为即时或每日汇总")
    unknown = [k for k in kinds if k not in (*CHANNEL_KINDS, "inbox")]
    if unknown:
        raise Invalid(f"未知的渠道：{'、'.join(unknown)}")
    quiet_hours = quiet_hours.strip()
    if quiet_hours:
        from luoshi.web.config import ConfigError, Env

        try:
            Env({"QUIET": quiet_hours}).clock("QUIET", "22:00-07:30")
        except ConfigError:
            raise Invalid("免打扰时段的格式应为 22:00-07:30") from None
    preference, _created = Preference.objects.update_or_create(
        user=user, defaults={"mode": mode, "kinds": sorted(set(kinds)), "quiet_hours": quiet_hours}
    )
    return preference
