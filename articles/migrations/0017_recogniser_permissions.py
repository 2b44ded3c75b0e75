"""Editors edit recognisers (a policy's or meeting's cue groups) and may delete them, as they
may an alias; analysts see them. Later migrations grant other models the same way."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ACTIONS = {"Editor": ("view", "add", "change", "delete"), "Analyst": ("view",)}


def grant(apps, model: str) -> None:
    """Editors view, add, change and delete `model` of summits; analysts view it."""
    app_config = apps.get_app_config("summits")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, actions in ACTIONS.items():
        group = Group.objects.filter(name=name).first()
        if group is None:
            continue
        codenames = [f"{action}_{model}" for action in actions]
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="summits", codename__in=codenames)
        )


def forward(apps, schema_editor) -> None:
    grant(apps, "recogniser")


def backward(apps, schema_editor) -> None:
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name__in=ACTIONS):
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="summits", codename__endswith="_recogniser"
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0016_article_created_index"),
        ("summits", "0003_recognisers"),
    ]

    operations = [migrations.RunPython(forward, backward)]
