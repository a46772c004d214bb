from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("kpiboard", "0017_plan_reminders"),
    ]

    operations = [
        migrations.AddField(
            model_name="site",
            name="benchmarks",
            field=models.TextField(blank=True, null=True),
        ),
    ]
