"""The tree across mergers: where a historical unit's figures go (its
heritage), who may read it through its successor, and the units a
successor carries on; on PostgreSQL and SQLite alike."""

import datetime as dt

import pytest

from agencies.models import Agency, Membership
from agencies.permissions import AGENCY_MANAGE, AGENCY_VIEW, access_for, can
from agencies.tests.factories import AgencyFactory
from agencies.tree import agency_heritage, branch_scope_cte, merged_into_ids_sql

Role = Membership.Role
MERGED_ON = dt.date(2025, 7, 1)


def dissolve(agency, successor=None):
    Agency.objects.filter(pk=agency.pk).update(is_active=False, dissolved_on=MERGED_ON, successor=successor)


@pytest.fixture
def merged(tree):
    """The district (with Phòng Nội vụ and xã Một) merged into xã Mới, a
    commune of the sibling district; xã Cũ, merged earlier into xã Một."""
    new = AgencyFactory(code="D2-M", parent=tree["district2"], kind=Agency.Kind.COMMUNE, name="xã Mới")
    old = AgencyFactory(code="D-C", parent=tree["district"], kind=Agency.Kind.COMMUNE, name="xã Cũ")
    dissolve(tree["district"], new)
    dissolve(old, tree["commune"])
    return {"new": new, "old": old}


def test_heritage_walks_up_and_across_mergers(tree, merged):
    heritage = set(agency_heritage(agency_id=tree["commune"].pk))
    # up its old tree; across to the district's successor and above it (the
    # province both ways)
    assert heritage == {(tree["commune"].pk, 0), (tree["district"].pk, 0), (tree["province"].pk, 0),
                        (merged["new"].pk, 2), (tree["district2"].pk, 2), (tree["province"].pk, 2)}
    assert (merged["new"].pk, 1) in agency_heritage(agency_id=tree["district"].pk)  # merged into it
    assert (tree["commune"].pk, 1) in agency_heritage(agency_id=merged["old"].pk)
    assert agency_heritage(agency_id=999_999) == []


def test_read_access_follows_the_successor_down_to_the_merged_units_subtree(tree, merged, make_user):
    reviewer2 = make_user("nv2", (tree["district2"], Role.REVIEWER))
    head_new = make_user("head-new", (merged["new"], Role.HEAD))
    head_d2 = make_user("head-d2", (tree["district2"], Role.HEAD))
    stranger = make_user("stranger", (tree["home_affairs"], Role.DRAFTER))
    for unit in (tree["district"], tree["commune"], tree["home_affairs"]):
        assert can(reviewer2, AGENCY_VIEW, unit)  # reviews the successor's district
        assert access_for(reviewer2).reads_history(unit.pk)
        # Reading follows the subtree (issue 13): the district sits below its
        # successor, and below the successor's parent, with its own units.
        assert can(head_new, AGENCY_VIEW, unit) and can(head_d2, AGENCY_VIEW, unit)
    # Every state (drafts too) only for the unit merged into the successor's own head.
    assert access_for(head_new).reads_history(tree["district"].pk)
    assert not access_for(head_new).reads_history(tree["commune"].pk)
    assert not access_for(head_d2).reads_history(tree["district"].pk)
    assert not can(stranger, AGENCY_VIEW, tree["district2"]) and not can(reviewer2, AGENCY_MANAGE, tree["district"])
    assert not access_for(stranger).reads_history(tree["district"].pk)
    assert not can(head_new, AGENCY_VIEW, tree["district2"])  # never up from the successor


def test_a_user_who_could_never_read_history_costs_no_query(tree, merged, make_user, django_assert_num_queries):
    drafter = make_user("only-drafter", (merged["new"], Role.DRAFTER))
    access = access_for(drafter)
    with django_assert_num_queries(0):
        assert not access.reads_history(tree["district"].pk)


def test_a_successor_carries_on_the_units_merged_into_it_through_earlier_mergers(tree, merged):
    from django.db import connection

    sql, params = merged_into_ids_sql(agency_id=merged["new"].pk)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        carried = {row[0] for row in cursor.fetchall()}
    # The district merged into xã Mới; xã Một stayed a unit of its own (its
    # own successor chain is not xã Mới's), and so did xã Cũ.
    assert carried == {merged["new"].pk, tree["district"].pk}
    sql, params = merged_into_ids_sql(agency_id=tree["commune"].pk)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        assert {row[0] for row in cursor.fetchall()} == {tree["commune"].pk, merged["old"].pk}


def _scope(seeds, start_depth):
    from django.db import connection

    cte, params = branch_scope_cte(seeds=seeds, start_depth=start_depth)
    with connection.cursor() as cursor:
        cursor.execute(f"{cte} SELECT id, branch, via, merged_unit FROM dash_scope", params)
        return {row[0]: row[1:] for row in cursor.fetchall()}


def test_the_scope_takes_merged_units_in_once_under_their_successor(tree, merged):
    # The sibling district's subtree: the merged district comes in with its
    # subtree, each unit once, all in xã Mới's branch.
    rows = _scope([(tree["district2"].pk, True)], 0)
    new = merged["new"].pk
    for key in ("district", "home_affairs", "commune"):
        assert rows[tree[key].pk] == (new, new, tree["district"].pk)
    assert rows[merged["old"].pk] == (new, tree["commune"].pk, merged["old"].pk)  # its nearest merger
    assert rows[tree["district2"].pk] == (tree["district2"].pk, None, None)
    # The province holds both the old place and the successor: the merger wins.
    rows = _scope([(tree["province"].pk, True)], 0)
    assert rows[tree["commune"].pk][0] == tree["district2"].pk
    assert len(rows) == Agency.objects.count()  # every unit once
    # A head's own agency: the unit merged into it, not that unit's subtree.
    rows = _scope([(new, False)], 0)
    assert set(rows) == {new, tree["district"].pk}
