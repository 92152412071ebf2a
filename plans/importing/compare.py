"""Compare a recognised structure (version 2) with a hand-made one (version 1,
as in demo/data/plan_*.json): used by the seed tests and the import benchmark."""

import re
import unicodedata

HEADER_FIELDS = ("number", "symbol", "issue_date", "draft_month", "draft_year", "status", "place", "title",
                 "kind", "year_start", "year_end")
V1_SECTIONS = {"purposes": "purpose", "requirements": "requirement", "content": "content",
               "channels": "channel", "funding": "funding"}


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text or "")).strip()


def _flatten(clauses: list[dict], role: str, level: int = 0) -> list[tuple[str, str, int]]:
    out = []
    for clause in clauses:
        out.append((role, norm(clause["text"]), level))
        out.extend(_flatten(clause.get("children", []), role, level + 1))
    return out


def v1_clauses(plan: dict) -> list[tuple[str, str, int]]:
    out = []
    for key, role in V1_SECTIONS.items():
        out.extend(_flatten(plan.get(key, []), role))
    return out


def v2_clauses(structure: dict) -> list[tuple[str, str, int]]:
    out = []

    def walk(headings):
        for heading in headings:
            out.extend(_flatten(heading.get("clauses", []), heading.get("role", "other")))
            walk(heading.get("children", []))

    walk(structure.get("headings", []))
    return out


def compare(structure: dict, expected: dict, header_fields=HEADER_FIELDS) -> dict:
    """Counts of what the recognised structure got right, and the misses."""
    header = [(field, expected.get(field), structure.get(field)) for field in header_fields if field in expected]
    header_wrong = [(f, e, g) for f, e, g in header if (norm(e) if isinstance(e, str) else e)
                    != (norm(g) if isinstance(g, str) else g)]
    want = v1_clauses(expected)
    got = v2_clauses(structure)
    remaining = list(got)
    missed = []
    for item in want:
        if item in remaining:
            remaining.remove(item)
        else:
            missed.append(item)
    want_resp = [(norm(r["title"]), [norm(d["text"]) for d in r["duties"]]) for r in expected.get("responsibilities", [])]
    got_resp = [(norm(r["title"]), [norm(d["text"]) for d in r["duties"]])
                for r in structure.get("responsibilities", [])]
    resp_ok = sum(1 for item in want_resp if item in got_resp)
    signer_want = expected.get("signer") or {}
    signer_got = structure.get("signer") or {}
    signer_ok = all(norm(str(signer_want.get(k))) == norm(str(signer_got.get(k, [] if k == "authority" else "")))
                    for k in ("authority", "position", "name"))
    return {
        "header_right": len(header) - len(header_wrong), "header_total": len(header), "header_wrong": header_wrong,
        "clauses_right": len(want) - len(missed), "clauses_total": len(want), "clauses_missed": missed,
        "clauses_extra": remaining,
        "responsibilities_right": resp_ok, "responsibilities_total": len(want_resp),
        "responsibilities_got": got_resp,
        "recipients_right": [norm(r) for r in structure.get("recipients", [])]
        == [norm(r) for r in expected.get("recipients", [])],
        "signer_right": signer_ok, "signer_got": signer_got,
        "closing_right": norm(structure.get("closing_text", "")) == norm(expected.get("closing_text", "")),
        "basis_right": [(b["verb"], norm(b["text"])) for b in structure.get("basis", [])]
        == [(b["verb"], norm(b["text"])) for b in expected.get("basis", [])],
        "lead_in_right": norm(structure.get("basis_lead_in", "")) == norm(expected.get("basis_lead_in", "")),
    }
