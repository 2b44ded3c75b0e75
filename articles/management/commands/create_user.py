import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from articles.reading.accounts import GROUPS, AccountError, staff_user_create


class Command(BaseCommand):
    help = (
        "Create a staff user in the Editor or Analyst group. Without --password-from-env a "
        "random password is printed once. Safe to run again: an existing user keeps its password."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--group", required=True, help=f"One of: {', '.join(GROUPS)}.")
        parser.add_argument(
            "--password-from-env",
            metavar="VAR",
            default="",
            help="Read the new user's password from this environment variable.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        password = ""
        var = options["password_from_env"]
        if var:
            password = os.environ.get(var, "")
            if not password:
                raise CommandError(f"The environment variable {var} is not set or is empty.")
        try:
            result = staff_user_create(
                username=options["username"], group=options["group"], password=password
            )
        except AccountError as exc:
            raise CommandError(str(exc)) from exc
        group = GROUPS[options["group"].strip().lower()]
        if result.demoted:
            self.stdout.write(
                f"User “{result.user.username}” was a superuser and is no longer: now only in "
                f"the {group} group. Password unchanged."
            )
        elif not result.created:
            self.stdout.write(
                f"User “{result.user.username}” already exists; now in the {group} group. "
                "Password unchanged."
            )
        elif result.password:
            self.stdout.write(
                f"Created {group.lower()} “{result.user.username}” with password: "
                f"{result.password}\nIt is shown only this once."
            )
        else:
            self.stdout.write(f"Created {group.lower()} “{result.user.username}”.")
