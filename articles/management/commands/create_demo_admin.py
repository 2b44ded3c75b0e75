from typing import Any

from django.core.management.base import BaseCommand

from articles.reading.accounts import demo_admin_create


class Command(BaseCommand):
    help = (
        "Create the demo superuser “admin” with a random password, printed once. "
        "If it exists already, nothing changes."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = demo_admin_create()
        if not result.created:
            self.stdout.write(
                "The demo admin “admin” already exists; its password was not changed. "
                "Use `manage.py changepassword admin` to set a new one."
            )
            return
        self.stdout.write(
            f"Demo admin created. User: admin  Password: {result.password}\n"
            "Save it now: it is shown only this once."
        )
