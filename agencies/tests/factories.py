"""Builders for agencies, users and roles. Tests make the few rows they need
instead of loading the demo."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

from agencies.models import Agency, Membership

PASSWORD = "pw-Test-123"


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"A{n}")
    name = factory.LazyAttribute(lambda a: f"Đơn vị {a.code}")
    kind = Agency.Kind.OFFICE
    abbreviation = "UBND"
    place_name = "Bình Giang"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.LazyAttribute(lambda u: f"Người dùng {u.username}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password(PASSWORD)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    agency = factory.SubFactory(AgencyFactory)
    role = Membership.Role.DRAFTER


def user_with_roles(username: str, *roles: tuple[Agency, str], **fields):
    """A user holding each (agency, role) pair."""
    user = UserFactory(username=username, **fields)
    for agency, role in roles:
        Membership.objects.get_or_create(user=user, agency=agency, role=role)
    return user
