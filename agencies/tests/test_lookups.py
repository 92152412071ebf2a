"""Integer lookups that cannot overflow (common.lookups), on the agency tables."""

import pytest
from django.contrib.auth import get_user_model

from agencies.models import Agency, Membership

HUGE = int("9" * 30)


@pytest.mark.django_db
def test_in_lookups_with_ids_past_any_integer_column_find_nothing():
    agency = Agency.objects.create(code="X", name="Đơn vị X", kind=Agency.Kind.OFFICE)
    user = get_user_model().objects.create_user("u")
    Membership.objects.create(user=user, agency=agency, role=Membership.Role.DRAFTER)
    assert list(Agency.objects.filter(pk__in=[HUGE])) == []
    assert list(Agency.objects.filter(pk__in=[str(HUGE), agency.pk])) == [agency]
    assert list(Agency.objects.filter(pk__in=[-HUGE, 2**63])) == []
    assert list(Membership.objects.filter(agency__in=[HUGE, agency.pk])) == list(Membership.objects.all())
    assert list(Membership.objects.filter(agency_id__in=[HUGE])) == []
    assert list(Agency.objects.exclude(pk__in=[HUGE])) == [agency]


@pytest.mark.django_db
def test_in_lookups_with_text_that_is_no_number_find_nothing():
    agency = Agency.objects.create(code="X", name="Đơn vị X", kind=Agency.Kind.OFFICE)
    assert list(Agency.objects.filter(pk__in=["abc", "᚛ᚄ"])) == []
    assert list(Agency.objects.filter(pk__in=["abc", str(agency.pk)])) == [agency]
    assert list(Agency.objects.filter(successor__in=["abc"])) == []
    with pytest.raises(ValueError):  # a single value stays Django's own check
        list(Agency.objects.filter(pk="abc"))


@pytest.mark.django_db
def test_foreign_keys_compared_with_numbers_past_the_column_find_nothing():
    agency = Agency.objects.create(code="X", name="Đơn vị X", kind=Agency.Kind.OFFICE)
    child = Agency.objects.create(code="Y", name="Đơn vị Y", kind=Agency.Kind.OFFICE, parent=agency)
    assert list(Agency.objects.filter(parent=2**63)) == []
    assert list(Agency.objects.filter(parent_id=HUGE)) == []
    # As Django's own integer lookups: "below any number" holds for every row (NULL included).
    assert list(Agency.objects.filter(parent__lt=HUGE, parent__isnull=False)) == [child]
    assert list(Agency.objects.filter(parent__gt=-HUGE, parent__isnull=False)) == [child]
    assert list(Agency.objects.filter(parent__gte=HUGE)) == []
    assert list(Agency.objects.filter(parent=agency.pk)) == [child]
