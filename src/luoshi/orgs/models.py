"""Organizations (a tree), their leadership teams and members, and who may do what where.

A role given on an organization holds for every organization below it: the county office that
supervises township teams sees their ledgers. The tree is kept as a materialised path so "this
organization and everything below it" is one indexed prefix query, whatever the depth.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


class Role(models.TextChoices):
    ORGANIZER = "organizer", _("组织者")
    REVIEWER = "reviewer", _("验收人")
    MEMBER = "member", _("班子成员")
    VIEWER = "viewer", _("查阅人")


PATH_STEP = 6  # digits per tree level: 999,999 siblings is plenty, and paths sort in tree order


class OrganizationQuerySet(models.QuerySet["Organization"]):
    def for_user(self, user: AbstractBaseUser | AnonymousUser, action: str = "view") -> OrganizationQuerySet:
        """Organizations USER may perform ACTION on (see `luoshi.orgs.access`)."""
        from luoshi.orgs.access import organizations_q, roles_for_action

        return self.filter(organizations_q(user, roles_for_action(action)))


class Organization(models.Model):
    name = models.CharField(_("名称"), max_length=200)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=255, unique=True, editable=False)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.path:
            # The path is fixed at creation; moving an organization is not supported (its history
            # and everyone's access would silently change with it).
            prefix = self.parent.path if self.parent else ""
            siblings = Organization.objects.filter(parent=self.parent).count()
            self.path = f"{prefix}{siblings + 1:0{PATH_STEP}d}."
            while Organization.objects.filter(path=self.path).exists():
                siblings += 1
                self.path = f"{prefix}{siblings + 1:0{PATH_STEP}d}."
        super().save(*args, **kwargs)

    @property
    def depth(self) -> int:
        return len(self.path) // (PATH_STEP + 1) - 1

    def ancestors(self) -> models.QuerySet[Organization]:
        prefixes = [self.path[: i * (PATH_STEP + 1)] for i in range(1, self.depth + 1)]
        return Organization.objects.filter(path__in=prefixes)

    def subtree(self) -> models.QuerySet[Organization]:
        return Organization.objects.filter(path__startswith=self.path)


class Team(models.Model):
    organization = models.ForeignKey(
        Organization, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="teams"
    )
    name = models.CharField(_("班子名称"), max_length=200)

    class Meta:
        verbose_name = _("领导班子")
        verbose_name_plural = _("领导班子")
        ordering = ["organization__path", "name"]

    def __str__(self) -> str:
        return self.name


class Member(models.Model):
    team = models.ForeignKey(Team, verbose_name=_("班子"), on_delete=models.PROTECT, related_name="members")
    name = models.CharField(_("姓名"), max_length=100)
    position = models.CharField(_("职务"), max_length=100)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登录账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="memberships",
    )
    order = models.PositiveIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("在任"), default=True)

    class Meta:
        verbose_name = _("班子成员")
        verbose_name_plural = _("班子成员")
        ordering = ["team", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "user"],
                name="member_one_login_per_team",
                violation_error_message="同一账号在一个班子中只能对应一名成员",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.position}）"


class RoleAssignment(models.Model):
    """USER holds ROLE on ORGANIZATION and on every organization below it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("账号"), on_delete=models.CASCADE, related_name="roles"
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("单位"), on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization", "role"],
                name="role_assignment_unique",
                violation_error_message="该账号在此单位已有此角色",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.organization} · {self.get_role_display()}"
