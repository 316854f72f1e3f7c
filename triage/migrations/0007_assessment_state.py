from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("triage", "0006_alert_reach_pending_partial")]

    operations = [
        migrations.AddField(
            model_name="patientassessment",
            name="state",
            field=models.JSONField(blank=True, default=dict, null=True),
        ),
    ]
