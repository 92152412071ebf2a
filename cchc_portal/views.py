from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.cache import cache_control

from agencies.models import Membership
from plans.selectors import plan_list_for_user


@login_required
def home(request: HttpRequest) -> HttpResponse:
    memberships = Membership.objects.filter(user=request.user).select_related("agency__parent")
    plans = plan_list_for_user(user=request.user)[:10]
    return render(request, "home.html", {"memberships": memberships, "plans": plans})


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers: the app answers and the database too."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@cache_control(max_age=86400, public=True)
def favicon(request: HttpRequest) -> HttpResponse:
    # Resolved per request: the hashed static name exists only after collectstatic.
    return redirect(static("img/favicon.svg"), permanent=True)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "403_csrf.html", status=403)
