"""Writes to plans, by job: drafting (a draft's parts, under the optimistic
lock), lifecycle (submit, return, issue), copies (amend, copy, cascade) and
importing (a whole plan from its structured form). Callers import from here."""

from .copies import YearChange, basis_naming_years, plan_amend, plan_cascade, plan_copy, year_changes
from .drafting import (
    NOT_EDITABLE,
    STALE_EDIT,
    TASK_GONE,
    TASK_STALE,
    StaleEditError,
    default_symbol,
    duties_from_text,
    duties_to_text,
    heading_outline_problems,
    issuer_agencies,
    plan_create,
    plan_set_clauses,
    plan_set_headings,
    plan_set_responsibilities,
    plan_update,
    section_position_base,
    task_agencies,
    task_agency_errors,
    task_delete,
    task_save,
)
from .importing import (
    agencies_guessed,
    agency_guess,
    clauses_from_lines,
    clauses_to_lines,
    plan_create_from_data,
    plan_draft_from_import,
    plan_import_save,
)
from .lifecycle import (
    plan_delete,
    plan_issue,
    plan_record,
    plan_return,
    plan_set_published,
    plan_submit,
    plan_withdraw,
    transition_record,
)
from .signing import (
    plan_sign_available,
    plan_sign_with_agency_certificate,
    plan_signed_copy_upload,
    signature_check,
    signer_warning,
)

__all__ = [
    "NOT_EDITABLE", "agencies_guessed", "agency_guess", "issuer_agencies", "plan_draft_from_import", "clauses_from_lines", "clauses_to_lines", "plan_import_save", "STALE_EDIT", "StaleEditError", "default_symbol", "duties_from_text", "duties_to_text", "heading_outline_problems",
    "plan_amend", "plan_cascade", "plan_copy", "plan_create", "plan_create_from_data", "plan_issue",
    "plan_record", "plan_return", "signer_warning", "plan_set_published", "plan_set_clauses", "plan_set_headings", "plan_set_responsibilities", "plan_submit", "plan_update",
    "section_position_base", "task_delete", "task_save", "transition_record",
    "TASK_GONE", "TASK_STALE", "YearChange", "basis_naming_years", "plan_delete", "plan_withdraw",
    "task_agencies", "task_agency_errors", "year_changes",
    "plan_sign_available", "plan_sign_with_agency_certificate", "plan_signed_copy_upload", "signature_check",
]
