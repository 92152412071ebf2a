"""The project's translations: the committed .mo is the .po compiled (a .po
edited without `manage.py catalog_compile` fails here), and the compiler
writes what gettext reads."""

import gettext
import io
from pathlib import Path

from django.conf import settings

from common.catalog import compile_po, po_entries, project_catalogs


def test_every_committed_mo_matches_its_po():
    catalogs = project_catalogs(settings.LOCALE_PATHS)
    assert catalogs, "no .po under LOCALE_PATHS"
    for po in catalogs:
        mo = po.with_suffix(".mo")
        assert mo.exists(), f"{mo} missing: run manage.py catalog_compile"
        assert mo.read_bytes() == compile_po(po), f"{mo} is stale: run manage.py catalog_compile"


def test_compiled_catalog_reads_back_with_gettext(tmp_path: Path):
    po = tmp_path / "x.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n"Plural-Forms: nplurals=1; plural=0;\\n"\n\n'
        '#: somewhere.py:1\nmsgid "Not found."\nmsgstr "Không tìm thấy."\n\n'
        '#, fuzzy\nmsgid "Guess"\nmsgstr "Đoán"\n\n'
        'msgid "Untranslated"\nmsgstr ""\n\n'
        'msgctxt "menu"\nmsgid "File"\nmsgstr "Tệp"\n\n'
        'msgid "{n} day"\nmsgid_plural "{n} days"\nmsgstr[0] "{n} ngày"\n\n'
        'msgid ""\n"Two "\n"lines"\nmsgstr "Hai "\n"dòng \\"trích\\""\n',
        encoding="utf-8",
    )
    assert "Guess" not in po_entries(po) and "Untranslated" not in po_entries(po)
    catalog = gettext.GNUTranslations(io.BytesIO(compile_po(po)))
    assert catalog.gettext("Not found.") == "Không tìm thấy."
    assert catalog.gettext("Guess") == "Guess"
    assert catalog.pgettext("menu", "File") == "Tệp"
    assert catalog.ngettext("{n} day", "{n} days", 3) == "{n} ngày"
    assert catalog.gettext("Two lines") == 'Hai dòng "trích"'
