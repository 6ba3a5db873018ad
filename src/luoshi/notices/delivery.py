"""Deliveries: each due message becomes one row per channel, keyed so it exists once, then is sent.

Exactly once in effect:
- a row's key (rule, object, period, recipient, channel) is unique in the database, so a second pass,
  or a concurrent one, inserts nothing new (`bulk_create(ignore_conflicts=True)`);
- the pass holds a lease row (`PassLease`) so one pass runs at a time across processes and servers;
- a row is claimed (queued → sending, by one UPDATE) before it is sent, so even two senders that
  slipped past the lease cannot both send it.
Each channel's failure is its own: a failing robot retries later with back-off while mail goes out.
"""

from __future__ import annotations

import datetime
import functools
import os
import socket
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from luoshi.notices import channels as senders
from luoshi.notices.models import (
    INBOX,
    Channel,
    ChannelKind,
    Delivery,
    DeliveryMode,
    DeliveryState,
    Notice,
    PassLease,
    Preference,
)
from luoshi.notices.rules import NOTICES_PATH, Due, evaluate, topic_of
from luoshi.notices.services import NOTICE_LIMIT, forget_unread
from luoshi.text.shorten import shorten

LEASE = datetime.timedelta(minutes=10)
BATCH = 2000
RETRYABLE = (DeliveryState.QUEUED, DeliveryState.FAILED)


# --- time windows --------------------------------------------------------------------------------


def _clock(text: str) -> datetime.time:
    hours, minutes = text.strip().split(":")
    return datetime.time(int(hours), int(minutes))


def quiet_window(preference: Preference | None) -> tuple[datetime.time, datetime.time]:
    text = (preference.quiet_hours if preference and preference.quiet_hours else "") or (
        settings.LUOSHI_REMIND_QUIET_HOURS
    )
    start, end = text.split("-")
    return _clock(start), _clock(end)


def release_time(now: datetime.datetime, preference: Preference | None, urgent: bool) -> datetime.datetime:
    """NOW, or the end of the person's quiet hours when NOW falls inside them (urgent messages go at once)."""
    if urgent:
        return now
    start, end = quiet_window(preference)
    local = timezone.localtime(now)
    clock = local.time()
    if start == end:
        return now
    inside = (start <= clock or clock < end) if start > end else (start <= clock < end)
    if not inside:
        return now
    release = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if release <= local:
        release += datetime.timedelta(days=1)
    return release


def next_digest_time(now: datetime.datetime) -> datetime.datetime:
    """Today's digest time if it is still ahead, else tomorrow's."""
    at = _clock(settings.LUOSHI_REMIND_DIGEST_TIME)
    local = timezone.localtime(now)
    when = local.replace(hour=at.hour, minute=at.minute, second=0, microsecond=0)
    return when if when > local else when + datetime.timedelta(days=1)


def backoff(attempts: int) -> datetime.timedelta:
    """5, 10, 20, 40 … minutes after each failed attempt, at most 6 hours."""
    return datetime.timedelta(minutes=min(5 * 2 ** max(attempts - 1, 0), 360))


# --- planning: due messages → delivery rows ---------------------------------------------------------


def plan(
    dues: Sequence[Due], now: datetime.datetime, known: set[tuple[str, str, str, int, str]] | None = None
) -> list[Delivery]:
    """Expand DUES to one row per channel that reaches each recipient (three queries, however many),
    leaving out the keys in KNOWN."""
    known = known or set()
    recipient_ids = {d.recipient_id for d in dues}
    preferences = {p.user_id: p for p in Preference.objects.filter(user_id__in=recipient_ids)}
    emails = dict(get_user_model().objects.filter(pk__in=recipient_ids).values_list("pk", "email"))
    channels = list(Channel.objects.filter(enabled=True).select_related("organization"))
    rows = []
    for due in dues:
        preference = preferences.get(due.recipient_id)
        common = {
            "rule": due.rule,
            "object_key": due.object_key,
            "period": due.period,
            "recipient_id": due.recipient_id,
            "organization_id": due.organization_id,
            "measure_id": due.measure_id,
            "urgent": due.urgent,
            "subject": due.subject[:200],
            "body": due.body,
            "url": due.url[:300],
            "created_at": now,
        }
        # The in-app inbox disturbs nobody: always, at once.
        if (due.rule, due.object_key, due.period, due.recipient_id, INBOX) not in known:
            rows.append(Delivery(channel_key=INBOX, next_attempt_at=now, **common))
        accepted = set(preference.kinds) if preference and preference.kinds else None
        as_digest = bool(preference and preference.mode == DeliveryMode.DIGEST and not due.urgent)
        for channel in channels:
            if not due.path.startswith(channel.organization.path):
                continue
            if accepted is not None and channel.kind not in accepted:
                continue
            if channel.kind == ChannelKind.EMAIL and not emails.get(due.recipient_id):
                continue
            if (due.rule, due.object_key, due.period, due.recipient_id, channel.key) in known:
                continue
            when = next_digest_time(now) if as_digest else release_time(now, preference, due.urgent)
            rows.append(
                Delivery(
                    channel_key=channel.key, channel=channel, next_attempt_at=when, digest=as_digest, **common
                )
            )
    return rows


RECENT = datetime.timedelta(days=40)  # covers every rule's period but the escalations'


def enqueue(dues: Sequence[Due], now: datetime.datetime | None = None) -> int:
    """Store the rows for DUES; keys already stored are left alone (the unique key decides; rows
    stored in the last RECENT days are skipped before inserting, which keeps a quiet pass quick).
    Returns how many rows were offered to the database."""
    now = now or timezone.now()
    known = set(
        Delivery.objects.filter(created_at__gte=now - RECENT).values_list(
            "rule", "object_key", "period", "recipient_id", "channel_key"
        )
    )
    fresh = plan(dues, now, known)
    with transaction.atomic():
        for start in range(0, len(fresh), BATCH):
            _insert_new(fresh[start : start + BATCH])
    return len(fresh)


DELIVERY_COLUMNS = (
    "rule", "object_key", "period", "recipient_id", "channel_key", "channel_id", "organization_id",
    "measure_id", "urgent", "digest", "subject", "body", "url", "state", "attempts", "next_attempt_at",
    "claimed_by", "claimed_at", "last_error", "created_at", "sent_at",
)  # fmt: skip


def deliver(dues: Sequence[Due], now: datetime.datetime | None = None) -> None:
    """Messages about something that just happened (a submission, a return …), through the same
    delivery rows and channels as the reminders: the rows are stored in the caller's transaction,
    the inbox copies are written once it commits, and the other channels go with the next pass.
    A key already stored (the same event told twice) is left alone."""
    if not dues:
        return
    now = now or timezone.now()
    with transaction.atomic():
        _insert_new(plan(dues, now))
    only = Q(pk__in=[])
    for rule, object_key, period in {(d.rule, d.object_key, d.period) for d in dues}:
        only |= Q(rule=rule, object_key=object_key, period=period)

    def go() -> None:
        send_due(holder_name(), only=only & Q(channel_key=INBOX))

    transaction.on_commit(go)


def _insert_new(rows: Sequence[Delivery]) -> None:
    """INSERT … ON CONFLICT DO NOTHING in one statement per batch (SQLite ≥ 3.24 and PostgreSQL).

    Plain SQL: a province's first pass stores tens of thousands of rows, and the ORM's
    bulk_create spends most of its time preparing values one field at a time (and, on SQLite,
    splits the insert into statements of 999 parameters).
    """
    if not rows:
        return
    adapt = functools.lru_cache(maxsize=64)(connection.ops.adapt_datetimefield_value)
    columns = ", ".join(connection.ops.quote_name(c) for c in DELIVERY_COLUMNS)
    marks = ", ".join(["%s"] * len(DELIVERY_COLUMNS))
    sql = f"INSERT INTO {Delivery._meta.db_table} ({columns}) VALUES ({marks}) ON CONFLICT DO NOTHING"
    params = [
        (
            r.rule,
            r.object_key,
            r.period,
            r.recipient_id,
            r.channel_key,
            r.channel_id,
            r.organization_id,
            r.measure_id,
            r.urgent,
            r.digest,
            r.subject,
            r.body,
            r.url,
            DeliveryState.QUEUED,
            0,
            adapt(r.next_attempt_at),
            "",
            None,
            "",
            adapt(r.created_at),
            None,
        )
        for r in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _insert_notices(rows: Sequence[Delivery], now: datetime.datetime) -> None:
    """The inbox copies, in one statement per batch (plain SQL, as `_insert_new`)."""
    if not rows:
        return
    table = Notice._meta.db_table
    created = connection.ops.adapt_datetimefield_value(now)
    sql = (
        f"INSERT INTO {table} (user_id, text, url, topic, created_at, read_at, done_at)"
        " VALUES (%s, %s, %s, %s, %s, NULL, NULL)"
    )
    params = [
        (
            r.recipient_id,
            shorten(f"{r.subject}：{r.body}", NOTICE_LIMIT),
            r.url[:300],
            topic_of(r.rule, r.object_key),
            created,
        )
        for r in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
    forget_unread()


def existing_keys(rows: Iterable[Delivery]) -> set[tuple[str, str, str, int, str]]:
    """The keys among ROWS already stored (for a dry run)."""
    rows = list(rows)
    found: set[tuple[str, str, str, int, str]] = set()
    objects = sorted({r.object_key for r in rows})
    for start in range(0, len(objects), BATCH):
        found.update(
            Delivery.objects.filter(object_key__in=objects[start : start + BATCH]).values_list(
                "rule", "object_key", "period", "recipient_id", "channel_key"
            )
        )
    return found


def row_key(row: Delivery) -> tuple[str, str, str, int, str]:
    return (row.rule, row.object_key, row.period, row.recipient_id, row.channel_key)


# --- sending -------------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What a send step did, row by row (for `luoshi remind --json`)."""

    rows: list[Delivery] = field(default_factory=list)


def _recipient_name(user: Any) -> str:
    return str(user.get_full_name() or user.get_username())


def _message(rows: Sequence[Delivery]) -> senders.Message:
    first = rows[0]
    user = first.recipient
    if len(rows) == 1:
        subject, body, url = first.subject, first.body, senders.absolute_url(first.url)
    else:
        subject = f"每日汇总：{len(rows)} 条提醒"
        body = "\n".join(f"{i}. {r.subject}：{r.body}" for i, r in enumerate(rows, start=1))
        url = senders.absolute_url(NOTICES_PATH)
    return senders.Message(
        subject=subject,
        body=body,
        url=url,
        recipient_name=_recipient_name(user),
        recipient_email=user.email or "",
        rule=first.rule,
        key=f"{first.rule}/{first.object_key}/{first.period}",
        measure_id=first.measure_id,
    )


def _claim(holder: str, now: datetime.datetime, only: Q | None) -> list[Delivery]:
    """Claim up to BATCH due rows for HOLDER (queued/failed → sending) and return them."""
    due = Delivery.objects.filter(state__in=RETRYABLE, next_attempt_at__lte=now)
    if only is not None:
        due = due.filter(only)
    ids = list(due.order_by("id").values_list("id", flat=True)[:BATCH])
    if not ids:
        return []
    Delivery.objects.filter(id__in=ids, state__in=RETRYABLE).update(
        state=DeliveryState.SENDING, claimed_by=holder, claimed_at=now, attempts=F("attempts") + 1
    )
    rows = list(
        Delivery.objects.filter(id__in=ids, state=DeliveryState.SENDING, claimed_by=holder).select_related(
            "channel"
        )
    )
    # Only the messages that leave luoshi need the recipient's name and address.
    outside = {r.recipient_id for r in rows if r.channel_key != INBOX}
    users = get_user_model().objects.in_bulk(list(outside)) if outside else {}
    for r in rows:
        if r.recipient_id in users:
            r.recipient = users[r.recipient_id]
    return rows


def send_due(
    holder: str,
    now: datetime.datetime | None = None,
    *,
    only: Q | None = None,
    outcome: Outcome | None = None,
) -> Outcome:
    """Send every due row (or those matching ONLY), batch by batch, each claimed first; each batch's
    results are written in a few statements whatever its size."""
    now = now or timezone.now()
    outcome = outcome or Outcome()
    failed_channels: dict[int, str] = {}
    while True:
        rows = _claim(holder, now, only)
        if not rows:
            return outcome
        sent: list[Delivery] = []
        failed: list[tuple[Delivery, str]] = []
        inbox = [r for r in rows if r.channel_key == INBOX]
        _insert_notices(inbox, now)
        sent.extend(inbox)
        groups: dict[tuple[int, str, bool], list[Delivery]] = defaultdict(list)
        for r in rows:
            if r.channel_key != INBOX:
                # A person's digest rows for one channel go as one message; the others one by one.
                groups[(r.recipient_id, r.channel_key, r.digest)].append(r)
        for (_recipient, _channel, digest), members in groups.items():
            for batch in [members] if digest else [[m] for m in members]:
                channel = batch[0].channel
                error = ""
                if channel is None or not channel.enabled:
                    error = "渠道已删除或停用"
                elif channel.pk in failed_channels:
                    error = failed_channels[channel.pk]
                else:
                    try:
                        senders.send(channel, _message(batch))
                    except senders.SendError as exc:
                        # Later rows for this channel wait for the retry instead of timing out one by one.
                        error = failed_channels[channel.pk] = str(exc)
                if error:
                    failed.extend((m, error) for m in batch)
                else:
                    sent.extend(batch)
        _record_results(sent, failed, now)
        outcome.rows.extend(rows)


def _record_results(sent: list[Delivery], failed: list[tuple[Delivery, str]], now: datetime.datetime) -> None:
    with transaction.atomic():
        for start in range(0, len(sent), BATCH):
            Delivery.objects.filter(id__in=[r.pk for r in sent[start : start + BATCH]]).update(
                state=DeliveryState.SENT, sent_at=now, last_error="", claimed_by=""
            )
        for r in sent:
            r.state, r.sent_at = DeliveryState.SENT, now
        for r, error in failed:
            r.state = (
                DeliveryState.GIVEN_UP
                if r.attempts >= settings.LUOSHI_REMIND_MAX_ATTEMPTS
                else DeliveryState.FAILED
            )
            r.last_error, r.next_attempt_at, r.claimed_by = error[:500], now + backoff(r.attempts), ""
        if failed:
            Delivery.objects.bulk_update(
                [r for r, _e in failed],
                ["state", "last_error", "next_attempt_at", "claimed_by"],
                batch_size=BATCH,
            )


def recover_stale(now: datetime.datetime) -> int:
    """Rows left "sending" by a pass that died: back to failed, to be retried."""
    return Delivery.objects.filter(state=DeliveryState.SENDING, claimed_at__lt=now - LEASE).update(
        state=DeliveryState.FAILED, last_error="发送中断（进程退出），将重试", claimed_by=""
    )


# --- the lease -----------------------------------------------------------------------------------


def holder_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def acquire(holder: str, now: datetime.datetime) -> bool:
    """Take the pass lease for HOLDER unless another holder's lease is still running."""
    if not PassLease.objects.filter(id=1).exists():
        try:
            with transaction.atomic():
                PassLease.objects.create(id=1)
        except IntegrityError:
            pass  # another process created it first
    taken = PassLease.objects.filter(
        Q(until__isnull=True) | Q(until__lt=now) | Q(holder=holder), id=1
    ).update(holder=holder, until=now + LEASE)
    return taken == 1


def release(holder: str, now: datetime.datetime) -> None:
    PassLease.objects.filter(id=1, holder=holder).update(holder="", until=None, last_pass_at=now)


# --- the pass ------------------------------------------------------------------------------------


@dataclass
class PassResult:
    ran: bool
    offered: int = 0
    rows: list[Delivery] = field(default_factory=list)  # sent, failed or given up in this pass
    planned: list[Delivery] = field(default_factory=list)  # dry run: what would be queued and sent


def run_pass(now: datetime.datetime | None = None, *, dry_run: bool = False) -> PassResult:
    """One reminder pass: evaluate the rules, store new deliveries, send what is due.

    Returns ran=False when another process holds the lease. A dry run changes nothing and returns
    the rows that would be created, plus the stored ones that are due to be sent.
    """
    now = now or timezone.now()
    if dry_run:
        dues = evaluate(now)
        rows = plan(dues, now)
        stored = existing_keys(rows)
        fresh = [r for r in rows if row_key(r) not in stored and r.next_attempt_at <= now]
        waiting = list(
            Delivery.objects.filter(state__in=RETRYABLE, next_attempt_at__lte=now).select_related(
                "recipient", "channel"
            )[:5000]
        )
        return PassResult(ran=True, offered=len(rows), planned=[*fresh, *waiting])
    holder = holder_name()
    if not acquire(holder, now):
        return PassResult(ran=False)
    try:
        recover_stale(now)
        dues = evaluate(now)
        offered = enqueue(dues, now)
        record_escalations(dues)
        outcome = send_due(holder, now)
        return PassResult(ran=True, offered=offered, rows=outcome.rows)
    finally:
        release(holder, timezone.now())


def record_escalations(dues: Sequence[Due]) -> None:
    """Write each escalated 督办单 (not acknowledged, or not answered in time) into the measure's
    history, once. Overdue escalations stay reminders (the delivery log shows them): on a province's
    first pass they number in the thousands, and the audit chain appends one event at a time."""
    from luoshi.audit.chain import record
    from luoshi.audit.models import Event, EventType
    from luoshi.ledger.models import Measure

    escalations: dict[tuple[int, str], Due] = {}
    for due in dues:
        if due.rule in ("order_unacknowledged", "order_unanswered") and due.measure_id:
            escalations.setdefault((due.measure_id, f"{due.rule}:{due.object_key}:{due.period}"), due)
    if not escalations:
        return
    done = set(
        Event.objects.filter(
            event_type=EventType.MEASURE_ESCALATED,
            target_type="ledger.measure",
            target_id__in=[str(m) for m, _k in escalations],
        ).values_list("target_id", "new__key")
    )
    measures = Measure.objects.in_bulk([m for m, _k in escalations])
    for (measure_id, key), due in escalations.items():
        if (str(measure_id), key) in done or measure_id not in measures:
            continue
        with transaction.atomic():
            record(
                EventType.MEASURE_ESCALATED,
                measures[measure_id],
                actor="luoshi remind",
                new={"key": key, "reason": due.body},
                organization_path=due.path,
            )
