"""The JSON figures are rows now (0006)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("reports", "0006_figures_from_json")]

    operations = [migrations.RemoveField(model_name="reportline", name="counters")]
