"""The evidence pack's URLs (request, progress, download), added to par/urls.py."""

urlpatterns: list = []
