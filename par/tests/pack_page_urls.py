"""The portal's URLs and one page that shows the evidence pack's panel alone
(templates/par/partials/pack.html), for the browser test of its script: the
self-assessment page that includes it belongs to another part of issue 16."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.urls import include, path

from par.models import Assessment


@login_required
def panel_page(request, assessment_id: int):
    assessment = get_object_or_404(Assessment.objects.select_related("agency"), pk=assessment_id)
    return render(request, "par/tests/pack_panel_page.html", {"assessment": assessment})


urlpatterns = [
    path("__pack-panel/<int:assessment_id>/", panel_page),
    path("", include("cchc_portal.urls")),
]
