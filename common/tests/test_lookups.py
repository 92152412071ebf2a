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
