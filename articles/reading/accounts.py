"""Staff accounts for the admin: editors, analysts and the demo administrator."""

import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser, Group
from django.contrib.auth.models import User as AuthUser
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

GROUPS = {"editor": "Editor", "analyst": "Analyst"}


class AccountError(ValueError):
    """The account cannot be made as asked; the message says why in plain words."""


@dataclass
class AccountResult:
    user: AbstractUser
    created: bool
    password: str  # the generated one, only when created without a given password; else ""
    demoted: bool = False  # was a superuser, and is no longer


def password_generate() -> str:
    return secrets.token_urlsafe(15)


def _check_password(password: str, user: AuthUser) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise AccountError("The password is too weak: " + " ".join(exc.messages)) from exc


@transaction.atomic
def staff_user_create(*, username: str, group: str, password: str = "") -> AccountResult:
    """Create a staff user in the Editor or Analyst group; an existing user keeps its password.

    A superuser can do everything whatever its group, so one put in a group stops being a
    superuser (the result says so): it then has exactly that group's rights.
    """
    username = username.strip()
    if not username:
        raise AccountError("A user name is needed.")
    group_name = GROUPS.get(group.strip().lower())
    if group_name is None:
        raise AccountError(f"“{group}” is not a group: use one of {', '.join(GROUPS)}.")
    try:
        group_obj = Group.objects.get(name=group_name)
    except Group.DoesNotExist as exc:
        raise AccountError(f"The {group_name} group is missing: run `migrate` first.") from exc
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    created = user is None
    generated = ""
    if user is None:
        user = User(username=username, is_staff=True)
        if not password:
            password = generated = password_generate()
        _check_password(password, user)
        user.set_password(password)
        user.save()
    demoted = user.is_superuser
    if not user.is_staff or user.is_superuser:
        user.is_staff, user.is_superuser = True, False
        user.save(update_fields=["is_staff", "is_superuser"])
    # One role at a time: moving someone from analyst to editor takes the other group away.
    user.groups.remove(*Group.objects.filter(name__in=GROUPS.values()).exclude(pk=group_obj.pk))
    user.groups.add(group_obj)
    return AccountResult(user=user, created=created, password=generated, demoted=demoted)


@transaction.atomic
def demo_admin_create(*, username: str = "admin") -> AccountResult:
    """Create the demo superuser with a random password, unless it already exists."""
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is not None:
        return AccountResult(user=user, created=False, password="")
    password = password_generate()
    user = User.objects.create_superuser(username=username, email="", password=password)
    return AccountResult(user=user, created=True, password=password)
