"""python manage.py import_plan FILE --issuer CODE [--save]: an existing plan
recognised from a DOCX, PDF or text file, printed part by part; --save
writes it as a draft, keeping the lines nobody placed with it."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from agencies.models import Agency
from plans import services
from plans.importing import ImportRefused, recognise
from plans.services import clauses_to_lines


class Command(BaseCommand):
    help = "Nhận dạng một kế hoạch có sẵn (DOCX, PDF có chữ, TXT); --save lưu thành dự thảo."

    def add_arguments(self, parser):
        parser.add_argument("file", help="tệp kế hoạch")
        parser.add_argument("--issuer", required=True, help="mã cơ quan ban hành, ví dụ HD-BG")
        parser.add_argument("--save", action="store_true", help="lưu thành dự thảo của cơ quan ban hành")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"Không có tệp {path}.")
        issuer = Agency.objects.filter(code=options["issuer"]).first()
        if issuer is None:
            raise CommandError(f"Không có đơn vị mã {options['issuer']}.")
        try:
            structure = recognise(path.read_bytes(), path.name)
        except ImportRefused as refusal:
            raise CommandError(str(refusal)) from refusal
        structure.pop("source_lines", None)
        structure = services.agencies_guessed(structure, issuer)
        self._print(structure)
        if options["save"]:
            try:
                plan = services.plan_draft_from_import(structure=structure, issuer=issuer, user=None,
                                                       source_name=path.name)
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from exc
            self.stdout.write(self.style.SUCCESS(f"Đã lưu dự thảo #{plan.pk}: {plan.title}"))

    def _print(self, structure: dict) -> None:
        out = self.stdout.write
        out(f"Số, ký hiệu: {structure.get('number_text') or ''}/{structure.get('symbol', '')}")
        out(f"Địa danh, ngày: {structure.get('place', '')}, {structure.get('issue_date') or structure.get('date_text', '')}")
        out(f"Trích yếu: {structure.get('title', '')}")
        for basis in structure.get("basis", []):
            out(f"Căn cứ: {basis.get('verb', '')} {basis.get('text', '')}")
        for heading in structure.get("headings", []):
            self._heading(heading, 0)
        for item in structure.get("responsibilities", []):
            out(f"Trách nhiệm: {item.get('marker', '')} {item.get('title', '')} → {item.get('agency') or 'chưa khớp đơn vị'}")
        if structure.get("recipients"):
            out("Nơi nhận: " + "; ".join(structure["recipients"]))
        signer = structure.get("signer") or {}
        out(f"Người ký: {' / '.join(signer.get('authority', []))} / {signer.get('position', '')} / {signer.get('name', '')}")
        out(f"Nhiệm vụ phụ lục: {len(structure.get('tasks', []))}")
        for line in structure.get("unplaced", []):
            out(f"Chưa xếp được: {line}")

    def _heading(self, heading: dict, depth: int) -> None:
        self.stdout.write(f"{'  ' * depth}[{heading.get('role')}] {heading.get('marker', '')} {heading.get('text', '')}")
        for line in clauses_to_lines(heading.get("clauses", [])):
            self.stdout.write(f"{'  ' * (depth + 1)}{line}")
        for child in heading.get("children", []):
            self._heading(child, depth + 1)
