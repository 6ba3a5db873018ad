"""Appending to and verifying the hash chain of audit events."""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from luoshi.audit.models import GENESIS_HASH, ChainHead, Event, EventType
from luoshi.scope import forget, request_memo

_HEAD = "chain-head"  # the request memo's key (luoshi.scope)


def to_json_value(value: Any) -> Any:
    """VALUE as plain JSON (dates and decimals as strings), exactly as it will be read back."""
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))


def event_hash(
    *,
    seq: int,
    created_at: str,
    event_type: str,
    actor_id: int | None,
    actor_label: str,
    target_type: str,
    target_id: str,
    organization_path: str,
    old: Any,
    new: Any,
    prev_hash: str,
) -> str:
    payload = json.dumps(
        {
            "seq": seq,
            "created_at": created_at,
            "event_type": event_type,
            "actor_id": actor_id,
            "actor_label": actor_label,
            "target_type": target_type,
            "target_id": target_id,
            "organization_path": organization_path,
            "old": old,
            "new": new,
            "prev_hash": prev_hash,
        },
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _hash_of(event: Event) -> str:
    return event_hash(
        seq=event.seq,
        created_at=event.created_at.astimezone(datetime.UTC).isoformat(),
        event_type=event.event_type,
        actor_id=event.actor_id,
        actor_label=event.actor_label,
        target_type=event.target_type,
        target_id=event.target_id,
        organization_path=event.organization_path,
        old=event.old,
        new=event.new,
        prev_hash=event.prev_hash,
    )


def record(
    event_type: EventType,
    target: models.Model | tuple[str, str],
    *,
    actor: Any = None,
    old: Mapping[str, Any] | None = None,
    new: Mapping[str, Any] | None = None,
    organization_path: str = "",
) -> Event:
    """Append one event. Call inside the transaction that makes the change it records, so the
    change and its event commit together or not at all. TARGET is the object changed, or
    (type, id) for one that does not exist as a row (a failed login names an unknown user)."""
    target_type, target_id = (
        target if isinstance(target, tuple) else (target._meta.label_lower, str(target.pk))
    )
    with transaction.atomic():
        head, _created = ChainHead.objects.select_for_update().get_or_create(id=1)
        is_user = actor is not None and getattr(actor, "is_authenticated", False)
        event = Event(
            seq=head.seq + 1,
            created_at=timezone.now(),
            event_type=event_type,
            actor=actor if is_user else None,
            actor_label=str(actor.get_username()) if is_user else (str(actor) if actor else "system"),
            target_type=target_type,
            target_id=target_id,
            organization_path=organization_path,
            old=to_json_value(dict(old or {})),
            new=to_json_value(dict(new or {})),
            prev_hash=head.hash,
        )
        event.hash = _hash_of(event)
        event.save()
        head.seq = event.seq
        head.hash = event.hash
        head.save(update_fields=["seq", "hash"])
    forget(_HEAD)  # the head this request read before is no longer the head
    return event


def current_head() -> tuple[int, str]:
    """(seq, hash) of the chain's last event, (0, "") before the first: a version that moves with
    every recorded change. Read once per web request (luoshi.scope), until the request appends."""
    memo = request_memo()
    if memo is not None and _HEAD in memo:
        found: tuple[int, str] = memo[_HEAD]
        return found
    with connection.cursor() as cursor:  # plain SQL: asked on most pages
        cursor.execute(f"SELECT seq, hash FROM {ChainHead._meta.db_table} WHERE id = 1")
        row = cursor.fetchone()
    head = (int(row[0]), str(row[1])) if row else (0, "")
    remember_head(head)
    return head


def remember_head(head: tuple[int, str]) -> None:
    """Keep HEAD, read with something else (luoshi.accounts.prelude), for the rest of this request."""
    memo = request_memo()
    if memo is not None:
        memo[_HEAD] = head


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str = ""


def _events() -> Iterator[Event]:
    return Event.objects.order_by("seq").iterator(chunk_size=2000)


def verify() -> VerifyResult:
    """Recompute the chain; name the first event that was altered, removed or re-ordered."""
    prev_hash = GENESIS_HASH
    expected_seq = 1
    checked = 0
    for event in _events():
        if event.seq != expected_seq:
            return VerifyResult(False, checked, expected_seq, f"缺少第 {expected_seq} 号事件（已被删除）")
        if event.prev_hash != prev_hash:
            return VerifyResult(False, checked, event.seq, "前一哈希与上一事件不符（事件被删除、插入或改动）")
        if _hash_of(event) != event.hash:
            return VerifyResult(False, checked, event.seq, "内容与哈希不符（事件被改动）")
        prev_hash = event.hash
        expected_seq += 1
        checked += 1
    head = ChainHead.objects.filter(id=1).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS_HASH)
    if head_seq != checked or head_hash != prev_hash:
        return VerifyResult(
            False,
            checked,
            checked + 1,
            f"链头记录到第 {head_seq} 号事件，实际只有 {checked} 个（末尾事件被删除）",
        )
    return VerifyResult(True, checked)


def history(target: models.Model) -> models.QuerySet[Event]:
    """The events about one object, oldest first."""
    return Event.objects.filter(
        target_type=target._meta.label_lower, target_id=str(target.pk)
    ).select_related("actor")
