"""The bell's pages: each user sees and marks only their own notifications,
each row's button says which report or plan it opens, and the preferences
page (signed-in users only) keeps a choice per topic."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from reports.models import Notice, NotificationPreference
from reports.services import notices_record
from reports.services.notices import DueNotice

Topic = NotificationPreference.Topic
PREFS = reverse("reports:notification_preferences")


@pytest.fixture
def told(world, tree, neighbour):
    """Due-today notices about the commune's and the neighbour's Quý I and
    half-year reports: the head hears of the commune's, head2 of the neighbour's."""
    today = timezone.localdate()
    reports = [world.report(unit, label) for unit in (tree["commune"], neighbour[0])
               for label in ("Quý I/2026", "6 tháng đầu năm 2026")]
    return notices_record(due=[DueNotice(r, Notice.Kind.DUE, today) for r in reports])


def buttons(html: str) -> list[str]:
    """The accessible names of the «Đã đọc» buttons (text with the hidden part)."""
    found = re.findall(r'<button class="btn btn-sm btn-outline-primary" type="submit">(.*?)</button>', html, re.S)
    return [re.sub(r"<[^>]+>", "", b).strip() for b in found]


def test_each_row_button_names_what_it_opens(client, told, personas):
    personas.login(client, "head")
    html = client.get(reverse("reports:notifications")).content.decode()
    names = buttons(html)
    assert len(names) == 2 and len(set(names)) == 2
    assert all(n.startswith("Đã đọc, mở báo cáo Quý I/2026 – Ủy ban nhân dân xã Một") or
               n.startswith("Đã đọc, mở báo cáo 6 tháng đầu năm 2026 – Ủy ban nhân dân xã Một") for n in names)
    assert "(đến hạn hôm nay, " in names[0]
    assert f'href="{PREFS}"' in html


def test_a_user_sees_only_their_own_notifications(client, told, personas, neighbour):
    assert client.login(username=neighbour[1].username, password=personas.password)
    html = client.get(reverse("reports:notifications")).content.decode()
    assert all("Ủy ban nhân dân xã Hai" in name for name in buttons(html)) and len(buttons(html)) == 2
    assert "xã Một" not in html
    personas.login(client, "outsider")
    assert "Chưa có thông báo." in client.get(reverse("reports:notifications")).content.decode()


def test_the_list_takes_a_fixed_number_of_queries(client, told, personas, django_assert_max_num_queries, world,
                                                  tree):
    personas.login(client, "head")
    with django_assert_max_num_queries(8):
        client.get(reverse("reports:notifications"))
    more = [world.report(tree["commune"], label) for label in ("Quý III/2026", "Năm 2026", "Quý IV/2026")
            if label in world.periods]
    notices_record(due=[DueNotice(r, Notice.Kind.MANUAL, timezone.localdate()) for r in more])
    with django_assert_max_num_queries(8):
        assert len(buttons(client.get(reverse("reports:notifications")).content.decode())) == 2 + len(more)


@pytest.mark.parametrize("url", [PREFS, reverse("reports:notifications")])
def test_the_pages_ask_to_sign_in(client, db, url):
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert client.post(url).status_code == 302
    assert not NotificationPreference.objects.exists()


def test_preferences_are_kept_per_topic_for_the_user_only(client, personas):
    personas.login(client, "head")
    html = client.get(PREFS).content.decode()
    assert html.count('type="radio"') == 2 * len(Topic.choices)
    assert html.count('value="both" class="form-check-input" id') == len(Topic.choices)  # default: bell and e-mail
    assert "<legend" in html and "Kế hoạch trình chờ phê duyệt" in html
    data = {topic: "both" for topic in Topic.values} | {Topic.PLAN_ISSUED: "bell", Topic.REPORT_DEADLINE: "bell"}
    response = client.post(PREFS, data, follow=True)
    assert "Đã lưu tùy chọn nhận thông báo." in response.content.decode()
    chosen = dict(NotificationPreference.objects.filter(user=personas.head).values_list("topic", "email"))
    assert chosen[Topic.PLAN_ISSUED] is False and chosen[Topic.REPORT_DEADLINE] is False
    assert chosen[Topic.PLAN_SUBMITTED] is True
    assert not NotificationPreference.objects.exclude(user=personas.head).exists()
    # Shown as saved.
    html = client.get(PREFS).content.decode()
    assert re.search(rf'name="{Topic.PLAN_ISSUED}" value="bell" class="form-check-input" id="[^"]+" required checked', html)


def test_a_bad_choice_is_refused_next_to_it_and_nothing_is_saved(client, personas):
    personas.login(client, "head")
    data = {topic: "bell" for topic in Topic.values} | {Topic.PLAN_RETURNED: "fax"}
    data.pop(Topic.REPORT_ACCEPTED)
    response = client.post(PREFS, data)
    html = response.content.decode()
    assert response.status_code == 200 and "Chưa lưu được" in html
    assert f'id="{Topic.PLAN_RETURNED}-error">Chọn một cách nhận.' in html
    assert f'id="{Topic.REPORT_ACCEPTED}-error">Chọn một cách nhận.' in html
    assert f'aria-describedby="{Topic.PLAN_RETURNED}-help {Topic.PLAN_RETURNED}-error"' in html
    assert not NotificationPreference.objects.exists()


def test_the_bell_count_is_cached_and_follows_reads_and_new_notices(client, told, personas, world, tree,
                                                                    django_assert_num_queries, empty_cache):
    """The unread count is read once, then from the cache; reading one, a new
    notice and a closed notice each show on the next page."""
    from reports.services import notices_close
    from reports.services.bell import unread_count

    head = personas.head
    assert unread_count(user=head) == 2
    with django_assert_num_queries(0):
        assert unread_count(user=head) == 2
    personas.login(client, "head")
    first = head.notifications.order_by("pk").first()
    client.post(reverse("reports:notifications_read"), {"id": first.pk})
    assert unread_count(user=head) == 1
    report = world.report(tree["commune"], "Quý III/2026")
    notices_record(due=[DueNotice(report, Notice.Kind.DUE, timezone.localdate())])
    assert unread_count(user=head) == 2
    notices_close(Notice.objects.filter(report=report))
    assert unread_count(user=head) == 1
