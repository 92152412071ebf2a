"""The one entry point that answers "may this user do X to this object".

Every view, command, task and template asks `can(user, action, obj)`;
nothing checks roles inline. Each app owns the rules for its own objects
(plans/rules.py, reports/rules.py, dashboard/rules.py) and registers them
here when Django starts, so this bottom app imports nothing above it.

Scope is the agency subtree (agencies/scope.py): a role held at an agency
writes there, and reads that agency and everything below it (`Access.reads`:
what the units below have put forward; each app's rules say which states).
A reviewer's role also reaches everything below it whatever the state, and
reviews it (`Access.reviews`). Reading a historical unit (merged away in
2025) also follows its successor: whoever reviews the successor, or heads it,
may read what the unit left (`Access.reads_history`), and a unit merged in
sits below its successor for `reads` too; writing never does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AnonymousUser

from .models import Agency, Membership
from .scope import user_scope
from .tree import agency_ancestor_ids, agency_heritage

Role = Membership.Role

# Actions on an Agency, owned by this app.
AGENCY_VIEW = "agency.view"
AGENCY_MANAGE = "agency.manage"


@dataclass
class Access:
    """A user's roles, loaded once per user object (one query)."""

    roles_by_agency: dict[int, set[str]]
    is_admin: bool
    review_roots: set[int]
    read_roots: set[int] = field(default_factory=set)
    _ancestors: dict[int, list[int]] = field(default_factory=dict)
    _heritage: dict[int, list[tuple[int, int]]] = field(default_factory=dict)

    def roles_at(self, agency_id: int) -> set[str]:
        return self.roles_by_agency.get(agency_id, set())

    def ancestors(self, agency_id: int) -> list[int]:
        if agency_id not in self._ancestors:
            self._ancestors[agency_id] = agency_ancestor_ids(agency_id=agency_id)
        return self._ancestors[agency_id]

    def reviews(self, agency_id: int) -> bool:
        """True if the user is a reviewer at this agency or any unit above it."""
        return bool(self.review_roots) and bool(self.review_roots.intersection(self.ancestors(agency_id)))

    def reads(self, agency_id: int, *, across_mergers: bool = True) -> bool:
        """True if a role of the user reaches this unit from above or at it:
        the unit sits in the subtree of a read root (a unit where the user
        holds any role, or a review root), or - across_mergers - was merged
        into a unit of such a subtree or sits below one that was (a merged
        unit rolls up under its successor, on the dashboard and in the
        summary alike). Reading only, and only what the rules allow in a
        state: no rule that writes asks this. A heritage query only when
        the tree alone says no."""
        if not self.read_roots:
            return False
        if self.read_roots.intersection(self.ancestors(agency_id)):
            return True
        return across_mergers and any(pk in self.read_roots for pk, _ in self.heritage(agency_id))

    def works_below(self, agency_id: int) -> bool:
        """True if the user holds any role at this agency or at a unit under it."""
        return any(agency_id in self.ancestors(own) for own in self.roles_by_agency)

    def holds(self, role: str) -> bool:
        """True if the user holds `role` anywhere."""
        return any(role in roles for roles in self.roles_by_agency.values())

    def heritage(self, agency_id: int) -> list[tuple[int, int]]:
        """(unit, how) for every unit the agency's figures reach (agencies/tree.py agency_heritage)."""
        if agency_id not in self._heritage:
            self._heritage[agency_id] = agency_heritage(agency_id=agency_id)
        return self._heritage[agency_id]

    def reviews_history(self, agency_id: int) -> bool:
        """True if the user reviews a unit this one (or a unit above it) was
        merged into, or the successor's ancestors: its figures count there."""
        return bool(self.review_roots) and any(pk in self.review_roots for pk, _ in self.heritage(agency_id))

    def reads_history(self, agency_id: int) -> bool:
        """Read access to a historical unit, through the unit it was merged
        into: its reviewers (reviews_history) and the heads of the successor
        itself (a head sees their own agency, which carries the unit on).
        Reading only: no rule that writes asks this."""
        if not self.review_roots and not self.holds(Role.HEAD):
            return False  # no query for users who could never qualify
        return self.reviews_history(agency_id) or any(
            how == 1 and Role.HEAD in self.roles_at(pk) for pk, how in self.heritage(agency_id)
        )


Rule = Callable[[Access, str, Any], bool]
_RULES: dict[str, Rule] = {}


def register(*actions: str, rule: Rule) -> None:
    """Let `rule(access, action, obj)` decide `actions`; called by each app's rules module."""
    for action in actions:
        if _RULES.get(action, rule) is not rule:
            raise ValueError(f"Action {action!r} already has a rule")
        _RULES[action] = rule


def access_for(user) -> Access | None:
    """The user's roles (cached on the user object), or None for anonymous and inactive users."""
    if user is None or isinstance(user, AnonymousUser) or not user.is_active:
        return None
    cached = getattr(user, "_cchc_access", None)
    if cached is None:
        scope = user_scope(user)
        roles: dict[int, set[str]] = {}
        for agency_id, role, _, _ in scope.roles:
            roles.setdefault(agency_id, set()).add(role)
        cached = Access(roles_by_agency=roles, is_admin=scope.is_admin, review_roots=scope.review_roots,
                        read_roots=scope.read_roots)
        user._cchc_access = cached
    return cached


def can(user, action: str, obj: Any = None) -> bool:
    """May `user` do `action` to `obj`? Role and agency scope, checked on the object."""
    rule = _RULES.get(action)
    if rule is None:
        raise ValueError(f"No permission rule for {action!r} on {type(obj).__name__}")
    access = access_for(user)
    return access is not None and rule(access, action, obj)


def is_system_admin(user) -> bool:
    """Superusers and holders of the admin role: the only users of Django admin."""
    access = access_for(user)
    return access is not None and access.is_admin


def _agency_rule(access: Access, action: str, agency: Agency) -> bool:
    if action == AGENCY_MANAGE:
        return access.is_admin
    # reads: the unit, the units under it and those merged into these (what
    # reads_history allows, a reviewer's or a successor head's, is inside it).
    return access.is_admin or bool(access.roles_at(agency.pk)) or access.reads(agency.pk)


register(AGENCY_VIEW, AGENCY_MANAGE, rule=_agency_rule)
