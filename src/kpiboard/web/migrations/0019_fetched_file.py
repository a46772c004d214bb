from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("kpiboard", "0018_site_benchmarks"),
    ]

    operations = [
        migrations.AddField(
            model_name="figure",
            name="fetched_file",
            field=models.CharField(blank=True, db_default="", default="", max_length=40),
        ),
        migrations.AddField(
            model_name="peervalue",
            name="fetched_file",
            field=models.CharField(blank=True, db_default="", default="", max_length=40),
        ),
    ]
