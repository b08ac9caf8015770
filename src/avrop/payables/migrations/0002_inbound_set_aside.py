import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("organisations", "0001_initial"),
        ("payables", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="inbounddocument",
            name="attempts",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="processing attempts"),
        ),
        migrations.AddField(
            model_name="inbounddocument",
            name="claimed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="processing started"),
        ),
        migrations.AddField(
            model_name="inbounddocument",
            name="error_detail",
            field=models.TextField(blank=True, verbose_name="error detail for support"),
        ),
        migrations.AddField(
            model_name="inbounddocument",
            name="organisation",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="organisations.organisation",
                verbose_name="buyer",
            ),
        ),
        migrations.AlterField(
            model_name="inbounddocument",
            name="status",
            field=models.CharField(
                choices=[
                    ("received", "Stored, not yet processed"),
                    ("processed", "Processed"),
                    ("unreadable", "Unreadable – flagged"),
                    ("set_aside", "Set aside – could not be processed"),
                ],
                default="received",
                max_length=20,
                verbose_name="status",
            ),
        ),
    ]
