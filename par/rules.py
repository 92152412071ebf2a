"""Who may see, write, submit and appraise a unit's PAR self-assessment.
The unit's own people see it, the head writes and submits it (a drafter
may prepare the notes), every role above the unit reads it and the
home-affairs reviewers above it appraise it and rank the units.
Registered with agencies.permissions.can() when the app is ready."""

from __future__ import annotations

from agencies.models import Agency, Membership
from agencies.permissions import Access, register

Role = Membership.Role

# On an Agency (the unit assessed).
PAR_VIEW = "par.view"  # its self-assessment, computation and evidence pack
PAR_EDIT = "par.edit"  # notes, extra files, points of criteria scored by hand
PAR_SUBMIT = "par.submit"
PAR_APPRAISE = "par.appraise"
# On an Agency (the root of a ranking): the units below it, ranked.
PAR_RANKING = "par.ranking"
# No object: whether «Chỉ số CCHC» is in the user's menu: every role reads
# its own unit's assessment or those of the units below it (asked of the
# cached roles only, so a role at a unit with no scored unit at or below it
# still sees the entry, and an empty list on the page).
PAR_OPEN = "par.open"


def _par_rule(access: Access, action: str, agency: Agency | None) -> bool:
    if action == PAR_OPEN:
        return access.is_admin or bool(access.read_roots)
    assert agency is not None
    own = access.roles_at(agency.pk)
    if action == PAR_VIEW:
        return access.is_admin or bool(own) or access.reads(agency.pk) or access.reviews(agency.pk)
    if action == PAR_EDIT:
        return bool(own & {Role.DRAFTER, Role.HEAD})
    if action == PAR_SUBMIT:
        return Role.HEAD in own
    if action == PAR_APPRAISE:
        # The office above the unit, never the unit itself (a Sở Nội vụ is scored too).
        return access.is_admin or (access.reviews(agency.pk) and not own)
    if action == PAR_RANKING:
        return access.is_admin or access.reviews(agency.pk)
    raise ValueError(f"Unknown PAR action {action!r}")


register(PAR_VIEW, PAR_EDIT, PAR_SUBMIT, PAR_APPRAISE, PAR_RANKING, PAR_OPEN, rule=_par_rule)
