"""Who sees what on the compliance dashboard: the user's tops in the agency
tree (reviewers their review subtree, admins every tree, heads and drafters
their unit's subtree: Access.reads), the node a page is about, and that node's scope as a CTE for the
figures' statements (agencies/tree.py writes the SQL). The scope takes in the
units merged into it (2025), under their successors, as the summary does; a
historical unit is reached through its successor too (drill-down)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models.expressions import RawSQL
from django.http import Http404

from agencies.models import Agency
from agencies.permissions import access_for, can
from agencies.tree import agencies_inside, agency_lineage, branch_scope_cte
from common.ids import parse_id

from .cache import TREE_SECONDS, kept
from .rules import DASHBOARD_DRAFTS, DASHBOARD_OPEN, DASHBOARD_SUBTREE, DASHBOARD_VIEW

NO_ACCESS = "Bảng theo dõi dành cho cán bộ có vai trò tại một đơn vị (Nội vụ, lãnh đạo, chuyên viên)."


@dataclass(frozen=True)
class Seed:
    """A top of what the user sees: a whole subtree (every role since reading
    follows the subtree) or one agency; `drafts`: the table links the units'
    unsent drafts too (a review root, admins), else only what was sent."""

    agency_id: int
    subtree: bool
    drafts: bool = True


@dataclass
class DashboardScope:
    seeds: list[Seed]


@dataclass
class Node:
    """The unit the page is about: one agency, or (agency None) all the user's seeds."""

    seeds: list[Seed]
    agency: Agency | None = None
    subtree: bool = True
    trail: list[Agency] = field(default_factory=list)  # breadcrumb above the node, inside the scope
    lineage_ids: list[int] = field(default_factory=list)  # every unit above the node, root first
    successor: Agency | None = None  # the unit a historical node was merged into
    drafts: bool = True  # the viewer opens the units' unsent drafts (DASHBOARD_DRAFTS)

    @property
    def label(self) -> str:
        if self.agency is None:
            return f"Toàn bộ phạm vi theo dõi ({len(self.seeds)} đơn vị)"
        return self.agency.name

    @property
    def key(self) -> str:
        """What the node's figures depend on, for cache keys."""
        if self.agency is not None:
            return f"{self.agency.pk}{'' if self.subtree else 'o'}"
        return "top" + ",".join(f"{s.agency_id}{'' if s.subtree else 'o'}" for s in self.seeds)


def _nested_seed_ids(seeds: list[Seed]) -> set[int]:
    """Seeds that sit inside another seed's subtree."""
    if len(seeds) < 2:
        return set()
    return agencies_inside(agency_ids=[s.agency_id for s in seeds], root_ids=[s.agency_id for s in seeds if s.subtree])


def dashboard_scope_for_user(*, user) -> DashboardScope | None:
    """Who may open the dashboard and what they see: reviewers their review
    subtree (a Nội vụ office reviews its parent's), system administrators
    every tree, heads and drafters their unit's subtree (read, not reviewed:
    the table links only what the units sent). None: no access. The roles
    come from can()'s cache on the user (one query, shared with the menu);
    one more query for admins or several tops."""
    access = access_for(user)
    if access is None or not can(user, DASHBOARD_OPEN):
        return None
    if access.is_admin:
        tops = Agency.objects.filter(parent__isnull=True).order_by("pk").values_list("pk", flat=True)
        return DashboardScope(seeds=[Seed(pk, True) for pk in tops])
    reviewed = access.review_roots
    seeds = [Seed(pk, True) for pk in sorted(reviewed)]
    seeds += [Seed(pk, True, drafts=False) for pk in sorted(access.read_roots - reviewed)]
    nested = kept(f"nested:{seeds}", TREE_SECONDS, lambda: _nested_seed_ids(seeds))
    return DashboardScope(seeds=[s for s in seeds if s.agency_id not in nested])


def _lineage(agency_id: int) -> list[Agency]:
    return kept(f"lineage:{agency_id}", TREE_SECONDS, lambda: agency_lineage(agency_id=agency_id))


def dashboard_node(*, user, scope: DashboardScope, agency_id: str | None) -> Node:
    """The node asked for (?agency=), checked on the object: 404 outside the scope."""
    if not agency_id:
        if len(scope.seeds) == 1:
            seed = scope.seeds[0]
            lineage = _lineage(seed.agency_id)
            return Node(seeds=scope.seeds, agency=lineage[-1], subtree=seed.subtree,
                        lineage_ids=[a.pk for a in lineage[:-1]], drafts=seed.drafts)
        return Node(seeds=scope.seeds, drafts=all(s.drafts for s in scope.seeds))
    pk = parse_id(agency_id)
    if pk is None:  # "abc", "²", a 30-digit number: no such unit
        raise Http404("Không tìm thấy đơn vị.")
    lineage = _lineage(pk)
    if not lineage:
        raise Http404("Không tìm thấy đơn vị.")
    agency = lineage[-1]
    if not can(user, DASHBOARD_VIEW, agency):
        raise Http404("Đơn vị này ngoài phạm vi bạn theo dõi.")
    subtree = can(user, DASHBOARD_SUBTREE, agency)
    seed_ids = {s.agency_id for s in scope.seeds}
    above = lineage[:-1]
    start = next((i for i, a in enumerate(above) if a.pk in seed_ids), None)
    trail = above[start:] if start is not None else []
    if start is None and agency.pk not in seed_ids:
        trail = _trail_through_merger(lineage, seed_ids)
    successor = _lineage(agency.successor_id)[-1] if agency.successor_id and not agency.is_active else None
    return Node(seeds=scope.seeds, agency=agency, subtree=subtree, trail=trail, lineage_ids=[a.pk for a in above],
                successor=successor, drafts=can(user, DASHBOARD_DRAFTS, agency))


def _trail_through_merger(lineage: list[Agency], seed_ids: set[int]) -> list[Agency]:
    """The breadcrumb of a unit outside the scope's tree, reached through a
    merger: through the successor of the nearest merged unit of its lineage
    (the unit itself or one above it), then down that unit's old branch."""
    for i in range(len(lineage) - 1, -1, -1):
        merged = lineage[i]
        if merged.successor_id is None or merged.is_active:
            continue
        heir = _lineage(merged.successor_id)
        start = next((j for j, a in enumerate(heir) if a.pk in seed_ids), len(heir))
        return heir[start:] + lineage[i:-1]
    return []


def scope_cte(node: Node) -> tuple[str, list]:
    """WITH RECURSIVE dash_scope(id, branch, via, merged_unit): every agency
    of the node's scope and the branch it rolls up into (the node's child it
    sits under; for several seeds, the seed); a unit merged in rolls up with
    its successor (agencies/tree.py branch_scope_cte)."""
    if node.agency is not None:
        return branch_scope_cte(seeds=[(node.agency.pk, node.subtree)], start_depth=0)
    return branch_scope_cte(seeds=[(s.agency_id, s.subtree) for s in node.seeds], start_depth=1)


def scope_ids(node: Node) -> RawSQL:
    """The node's agencies, and the units merged into them from elsewhere
    (their figures count here, as in the summary)."""
    cte, params = scope_cte(node)
    return RawSQL(f"{cte} SELECT id FROM dash_scope", params)
