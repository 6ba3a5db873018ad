"""A document uploaded from the home page, before it has a round: parsed, a round proposed from its
title, then imported into a new round (created in the same transaction) or an existing one.

The parse result travels between the two requests signed with the site's secret (the page keeps
it in a hidden field), so nothing is stored before the organizer confirms; what is confirmed is
exactly what the server parsed. The import itself is `imports.create_draft` + `imports.confirm_draft`
(or, for a correction first, the draft's usual preview): the same checks, the same audit events.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.db import transaction

from luoshi.errors import Invalid, NotAllowed
from luoshi.ledger import imports, services
from luoshi.ledger.models import ImportDraft, Round, RoundKind, Source
from luoshi.orgs.access import has_role
from luoshi.orgs.models import Team

_SALT = "luoshi.ledger.home-import"
MAX_AGE = datetime.timedelta(days=1)  # a proposal page left open longer is uploaded again


@dataclass(frozen=True)
class Upload:
    """A parsed upload waiting for its round."""

    name: str
    data: dict[str, Any]


def seal(upload: Upload, user: Any) -> str:
    """UPLOAD as a signed token only USER can confirm."""
    return signing.dumps(
        {"user": user.pk, "name": upload.name, "data": upload.data}, salt=_SALT, compress=True
    )


def unseal(token: str, user: Any) -> Upload:
    """The upload a token of `seal` carries; Invalid when it was altered, is too old or not USER's."""
    try:
        payload = signing.loads(token, salt=_SALT, max_age=MAX_AGE)
    except signing.SignatureExpired:
        raise Invalid("上传的文档已过期，请重新上传") from None
    except signing.BadSignature:
        raise Invalid("上传的文档无法识别，请重新上传") from None
    if payload.get("user") != user.pk:
        raise Invalid("上传的文档无法识别，请重新上传")
    return Upload(name=str(payload["name"]), data=payload["data"])


@dataclass(frozen=True)
class NewRound:
    """The round to create for the upload (the proposal as the organizer left it)."""

    team: Team
    title: str
    year: int
    kind: str


def _round_for(target: Round | NewRound, actor: Any) -> Round:
    if isinstance(target, Round):
        if target.archived:
            raise Invalid("该轮次已归档，不能再导入")
        return target
    if not has_role(actor, target.team.organization.path, "manage"):
        raise NotAllowed("只有本单位（或上级单位）的组织者可以创建检视轮次")
    if target.kind not in RoundKind.values:
        raise Invalid("请选择轮次类型")
    return services.create_round(
        team=target.team, title=target.title, year=target.year, kind=target.kind, actor=actor
    )


@transaction.atomic
def import_upload(
    upload: Upload,
    target: Round | NewRound,
    *,
    actor: Any,
    source: str = Source.SELF_EXAMINATION,
    repeat: bool = False,
) -> tuple[Round, services.ImportResult]:
    """Create the round (if new), the draft and confirm it, all or nothing. A document the round
    already holds is refused (`imports.find_repeat`) unless REPEAT says the organizer chose it."""
    round_ = _round_for(target, actor)
    draft = imports.create_draft(round_, actor=actor, name=upload.name, data=upload.data, source=source)
    return round_, imports.confirm_draft(draft, actor=actor, repeat=repeat)


@transaction.atomic
def draft_upload(
    upload: Upload, target: Round | NewRound, *, actor: Any, source: str = Source.SELF_EXAMINATION
) -> ImportDraft:
    """Create the round (if new) and the draft, for the organizer to correct on its preview first."""
    round_ = _round_for(target, actor)
    return imports.create_draft(round_, actor=actor, name=upload.name, data=upload.data, source=source)
