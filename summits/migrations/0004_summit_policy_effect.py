"""Summit.policies gets a through model on its existing table, with the meeting's effect."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("summits", "0003_recognisers")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="SummitPolicy",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "summit",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="policy_links",
                                to="summits.summit",
                            ),
                        ),
                        (
                            "policy",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="summit_links",
                                to="summits.policy",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "summits_summit_policies",
                        "ordering": ["pk"],
                        "verbose_name": "policy on the table",
                        "verbose_name_plural": "policies on the table",
                        "unique_together": {("summit", "policy")},
                    },
                ),
                migrations.AlterField(
                    model_name="summit",
                    name="policies",
                    field=models.ManyToManyField(
                        blank=True,
                        related_name="summits",
                        through="summits.SummitPolicy",
                        to="summits.policy",
                    ),
                ),
            ],
        ),
        migrations.AddField(
            model_name="summitpolicy",
            name="effect",
            field=models.CharField(
                choices=[
                    ("discussed", "Discussed"),
                    ("announced", "Announced"),
                    ("changed", "Changed"),
                    ("extended", "Extended"),
                    ("ended", "Ended"),
                ],
                default="discussed",
                help_text="What the meeting's outcome did to the policy: announced, changed, "
                "extended or ended it, or only discussed it.",
                max_length=12,
            ),
        ),
    ]
