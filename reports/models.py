# Reporting periods, reports, evidence and reminders come with the reporting
# issue; the app exists now so its Celery tasks have a home.
