"""Groups Editor and Analyst with their admin permissions.

Editors review and correct tags, manage feeds and sources, and keep the knowledge base right.
They do not delete articles, mentions, feeds, countries or whole knowledge-base records:
rejecting a tag or marking an article "not relevant" is what keeps it from coming back, and
deleting would let the next ingestion or tagging run bring it back. Rows edited inside a
record (aliases, tenures, participants, policy events, a summit's policies) may be deleted.
Analysts may look at everything in the two apps and change nothing.

Re-running sets the groups' permissions to exactly these; other groups are left alone.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

VIEW = ("view",)
EDIT = ("view", "add", "change")
EDIT_DELETE = ("view", "add", "change", "delete")

EDITOR = {
    "articles": {
        "source": EDIT,
        "feed": EDIT,
        "article": EDIT,
        "mention": EDIT,
        "mentionreview": ("view", "change"),
        "storycluster": VIEW,
        "rawdocument": VIEW,
        "articlefeed": VIEW,
        # From migration 0011 on, which gives the permission to both groups.
        "feedentryerror": VIEW,
        # From the discovery migration on, which gives it to existing databases' groups.
        "discoverycandidate": ("view", "change"),
    },
    "summits": {
        "country": ("view", "change"),
        "official": EDIT,
        "officialalias": EDIT_DELETE,
        "roletenure": EDIT_DELETE,
        "policy": EDIT,
        "policyalias": EDIT_DELETE,
        "policyevent": EDIT_DELETE,
        "summit": EDIT,
        "summitparticipant": EDIT_DELETE,
        # Added by a later migration, once summits has citation tables.
        "officialcitation": EDIT_DELETE,
        "policycitation": EDIT_DELETE,
        "summitcitation": EDIT_DELETE,
        # Added with the recognisers (summits 0003; granted on existing databases by 0011).
        "recogniser": EDIT_DELETE,
        # A summit's policies with their effect (summits 0004; granted by articles 0019).
        "summitpolicy": EDIT_DELETE,
    },
}


def _ensure_permissions(apps) -> None:
    # Permissions are normally made after all migrations ran (post_migrate); on a fresh
    # database they do not exist yet, so make them now for the apps the groups refer to.
    for label in ("articles", "summits"):
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None


def forward(apps, schema_editor) -> None:
    _ensure_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    in_apps = Permission.objects.filter(content_type__app_label__in=["articles", "summits"])

    analyst, _ = Group.objects.get_or_create(name="Analyst")
    analyst.permissions.set(in_apps.filter(codename__startswith="view_"))

    wanted = [
        f"{action}_{model}"
        for models in EDITOR.values()
        for model, actions in models.items()
        for action in actions
    ]
    editor, _ = Group.objects.get_or_create(name="Editor")
    editor.permissions.set(in_apps.filter(codename__in=wanted))


def backward(apps, schema_editor) -> None:
    apps.get_model("auth", "Group").objects.filter(name__in=["Editor", "Analyst"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0003_mention_review_queue"),
        ("summits", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forward, backward)]
