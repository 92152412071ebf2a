"""The evidence pack: one ZIP of a commune's year, checked entry by entry
against the database (the XLSX index read back, the PDF index's text), the
permission matrix of its three URLs, a pack made stale by new evidence and
built again, a failure that leaves no half file, and the whole path through
a real worker on the broker with the e-mail at the end."""

from __future__ import annotations

import datetime as dt
import glob
import io
import os
import tempfile
import time
import unicodedata
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from par import services as par_services
from par.defaults import DEFAULT_TAG
from par.models import Assessment, EvidencePack
from par.pack import (
    PACK_TASK,
    code_part,
    original_part,
    pack_build,
    pack_fingerprint,
    pack_is_stale,
    pack_request,
)
from plans.models import Plan
from plans.tests.factories import plan_issued
from reports.models import Evidence
from reports.services import evidence_add
from reports.tests.factories import PDF, commune_added, report_fill, report_sent, report_world

YEAR = 2026
AS_OF = dt.date(2026, 12, 31)
PNG = b"\x89PNG\r\n\x1a\n" + os.urandom(2048)
NOTE = "Đã tổ chức hội nghị <script>alert(1)</script> & tọa đàm"
COMMENT = "Thiếu biên bản <b>hội nghị</b> & ảnh"


def _text(data: bytes) -> str:
    text = "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(unicodedata.normalize("NFC", text).split())


def _world(tree, personas):
    """The commune's 2026: its own issued plan, the district's plan whose two
    tasks it leads (tagged as proving the communication criterion), its Quý I
    report sent and accepted with a photo, a PDF and a text note, its
    self-assessment submitted with a note and an extra file, and appraised."""
    world = report_world(tree=tree, personas=personas, leads=("commune", "commune"))
    commune = tree["commune"]
    tag = par_services.tag_ensure(*DEFAULT_TAG)
    tag.plans.add(world.plan)
    own = plan_issued(issuer=commune, drafter=personas.head, head=personas.head, year=YEAR, number=7,
                      issue_date=dt.date(YEAR, 1, 5))
    q1 = report_fill(world.report(commune, "Quý I/2026"), state="done")
    evidence_add(report=q1, name="Ảnh hội nghị (1).PNG", content=PNG, content_type="image/png", user=personas.head)
    evidence_add(report=q1, name="Biên bản.pdf", content=PDF, content_type="application/pdf", user=personas.head)
    evidence_add(report=q1, name="ghi chú.txt", content=b"ghi chu " * 500, content_type="text/plain",
                 user=personas.head)
    report_sent(q1, by=personas.head, on=dt.date(YEAR, 3, 20), accept_by=personas.reviewer)
    assessment = par_services.assessment_open(agency=commune, year=YEAR, as_of=AS_OF)
    manual = assessment.items.get(criterion__code="1.4.6")
    par_services.assessment_item_update(item=manual, note=NOTE, self_points=Decimal("0.5"),
                                        upload=SimpleUploadedFile("Sáng kiến.docx", b"PK\x03\x04docx"))
    assessment = par_services.assessment_submit(assessment=assessment, user=personas.head, as_of=AS_OF)
    adjusted = assessment.items.get(criterion__code="1.4.6")
    assessment = par_services.assessment_appraise(assessment=assessment, user=personas.reviewer,
                                                  decisions={adjusted.pk: (Decimal("0.25"), COMMENT)})
    return {"world": world, "commune": commune, "own_plan": own, "q1": q1, "assessment": assessment}


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def pack_world(tree, personas, media):
    return _world(tree, personas)


def _built(pack_world, user, django_capture_on_commit_callbacks) -> EvidencePack:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        pack = pack_request(agency=pack_world["commune"], year=YEAR, user=user)
    assert len(callbacks) == 1  # the task goes to the worker once committed
    assert pack.status == EvidencePack.Status.QUEUED and pack.requested_by == user
    with django_capture_on_commit_callbacks(execute=True):
        assert pack_build(pack.pk) == EvidencePack.Status.READY
    pack.refresh_from_db()
    return pack


def _zip(pack: EvidencePack) -> zipfile.ZipFile:
    with pack.file.open("rb") as stored:
        return zipfile.ZipFile(io.BytesIO(stored.read()))


def test_names_are_ascii_and_keep_the_criterion_code():
    assert code_part("1.4.2") == "1.4.2"
    assert code_part("Đ 1.2") == "D-1.2"
    assert original_part("Ảnh hội nghị (1).PNG") == "Anh-hoi-nghi-1.png"
    assert original_part("../../etc/passwd") == "passwd"
    assert original_part("") == "tep"


def test_the_pack_holds_every_file_and_its_index_matches_the_database(pack_world, personas,
                                                                      django_capture_on_commit_callbacks):
    pack = _built(pack_world, personas.head, django_capture_on_commit_callbacks)
    assessment: Assessment = pack_world["assessment"]
    archive = _zip(pack)
    names = archive.namelist()
    evidence = list(Evidence.objects.filter(report=pack_world["q1"]).order_by("uploaded_at", "pk"))
    extra = assessment.items.get(criterion__code="1.4.6")
    own = Plan.objects.get(pk=pack_world["own_plan"].pk)
    expected = [
        "00-muc-luc.pdf", "00-muc-luc.xlsx",
        # The district's plan carries the tag of 1.4.2: its report's files prove 1.4.2.
        "03-minh-chung/1.4.2/01-Anh-hoi-nghi-1.png", "03-minh-chung/1.4.2/02-Bien-ban.pdf",
        "03-minh-chung/1.4.2/03-ghi-chu.txt", "03-minh-chung/1.4.6/01-bo-sung-Sang-kien.docx",
        # Its own plan, and the district's that gave it its tasks.
        f"01-ke-hoach/01-KH-{own.number:02d}-{own.symbol.replace('/', '-')}-{YEAR}.pdf",
        "01-ke-hoach/02-KH-01-KH-UBND-2026.pdf",
        "02-bao-cao/01-Quy-I-2026.pdf",
    ]
    assert sorted(names) == sorted(expected)
    assert all(name.isascii() for name in names)
    assert pack.files_count == len(names) and pack.size == pack.file.size
    assert pack.fingerprint == pack_fingerprint(pack_world["commune"], YEAR) and not pack_is_stale(pack)
    assert pack.built_at is not None and pack.done_steps == pack.total_steps == len(names)

    # The files as uploaded, compressed only when it pays.
    for name, row in zip(expected[2:5], evidence, strict=True):
        with row.file.open("rb") as stored:
            assert archive.read(name) == stored.read()
    with extra.file.open("rb") as stored:
        assert archive.read("03-minh-chung/1.4.6/01-bo-sung-Sang-kien.docx") == stored.read()
    kinds = {info.filename: info.compress_type for info in archive.infolist()}
    assert kinds["03-minh-chung/1.4.2/01-Anh-hoi-nghi-1.png"] == zipfile.ZIP_STORED
    assert kinds["03-minh-chung/1.4.2/02-Bien-ban.pdf"] == zipfile.ZIP_STORED
    assert kinds["03-minh-chung/1.4.2/03-ghi-chu.txt"] == zipfile.ZIP_DEFLATED
    assert archive.read(expected[6]).startswith(b"%PDF") and archive.read(expected[7]).startswith(b"%PDF")
    assert "Quý I/2026" in _text(archive.read("02-bao-cao/01-Quy-I-2026.pdf"))

    # The XLSX index read back against the database.
    sheet = load_workbook(io.BytesIO(archive.read("00-muc-luc.xlsx"))).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[1][:2] == ["Đơn vị", pack_world["commune"].name]
    header = next(i for i, row in enumerate(rows) if row[0] == "Số hiệu")
    table = {row[0]: row for row in rows[header + 1:] if row[0] and row[0][0].isdigit()}
    criteria = list(assessment.criteria_set.criteria.order_by("position", "pk"))
    assert list(table) == [c.code for c in criteria]
    items = {i.criterion.code: i for i in assessment.items.select_related("criterion")}
    assert set(items) == {"1.4.1", "1.4.2", "1.4.3", "1.4.4", "1.4.5", "1.4.6"}
    for code, item in items.items():
        row = table[code]
        assert Decimal(str(row[2])) == item.criterion.max_score
        assert Decimal(str(row[5])) == item.self_points
        assert Decimal(str(row[6])) == item.appraised_points
        listed = row[8].splitlines() if row[8] else []
        # 1.4.2 lists the files its tag proves; 1.4.6 the head's extra file; the others none.
        wanted = {"1.4.2": expected[2:5], "1.4.6": ["03-minh-chung/1.4.6/01-bo-sung-Sang-kien.docx"]}
        assert listed == wanted.get(code, []), code
    assert table["1.4.6"][7] == COMMENT and table["1.4.6"][4] == NOTE
    assert Decimal(str(table["1"][5])) == assessment.self_total
    assert Decimal(str(table["1"][6])) == assessment.final_total
    assert table["1.4.1"][3] == items["1.4.1"].computation["summary"]

    # The PDF index: letterhead, the unit, every code, user text printed as text.
    text = _text(archive.read("00-muc-luc.pdf"))
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "DANH MỤC" in text
    assert pack_world["commune"].name in text
    for criterion in criteria:
        assert criterion.code in text
    assert "<script>alert(1)</script> & tọa đàm" in text
    assert "<b>hội nghị</b> & ảnh" in text


def test_a_pack_is_stale_after_new_evidence_and_a_request_builds_it_again(
        pack_world, personas, tree, client, django_capture_on_commit_callbacks):
    pack = _built(pack_world, personas.reviewer, django_capture_on_commit_callbacks)
    old_name = pack.file.name
    half = pack_world["world"].report(tree["commune"], "6 tháng đầu năm 2026")
    evidence_add(report=half, name="Ảnh pa nô.jpg", content=b"\xff\xd8\xff" + os.urandom(500),
                 content_type="image/jpeg", user=personas.head)
    assert not pack_is_stale(pack)  # a draft's files are not in the pack yet
    report_sent(report_fill(half), by=personas.head, on=dt.date(YEAR, 6, 20))
    assert pack_is_stale(pack)

    personas.login(client, "head")
    url = reverse("par:pack_download", args=[tree["commune"].pk, YEAR])
    page = client.get(url)
    assert page.status_code == 200 and "Tạo lại bộ hồ sơ" in page.content.decode()
    assert client.get(url + "?cu=1")["Content-Type"] == "application/zip"
    state = client.get(reverse("par:pack_progress", args=[tree["commune"].pk, YEAR])).json()
    assert state["stale"] is True and state["ready"] is True

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("par:pack_request", args=[tree["commune"].pk, YEAR]),
                               {"next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == reverse("par:home")
    assert len(callbacks) == 1
    with django_capture_on_commit_callbacks(execute=True):
        pack_build(pack.pk)
    pack.refresh_from_db()
    assert pack.status == EvidencePack.Status.READY and not pack_is_stale(pack)
    assert "03-minh-chung/1.4.2/04-Anh-pa-no.jpg" in _zip(pack).namelist()
    assert "02-bao-cao/02-6-thang-dau-nam-2026.pdf" in _zip(pack).namelist()
    if pack.file.name != old_name:
        assert not pack.file.storage.exists(old_name)  # the old ZIP went once the new one was saved


def test_a_missing_file_fails_the_build_in_vietnamese_and_leaves_no_half_file(
        pack_world, personas, django_capture_on_commit_callbacks):
    pack = _built(pack_world, personas.head, django_capture_on_commit_callbacks)
    old_name, old_size = pack.file.name, pack.size
    lost = Evidence.objects.filter(report=pack_world["q1"]).order_by("pk").first()
    lost.file.storage.delete(lost.file.name)
    before = set(glob.glob(os.path.join(tempfile.gettempdir(), "cchc-pack-*")))
    pack_request(agency=pack_world["commune"], year=YEAR, user=personas.head)
    assert pack_build(pack.pk) == EvidencePack.Status.FAILED
    pack.refresh_from_db()
    assert pack.status == EvidencePack.Status.FAILED
    assert "Thiếu tệp" in pack.error and "kho lưu trữ" in pack.error
    assert set(glob.glob(os.path.join(tempfile.gettempdir(), "cchc-pack-*"))) <= before
    assert pack.file.name == old_name and pack.file.storage.size(old_name) == old_size


def test_a_unit_without_a_self_assessment_has_nothing_to_pack(tree, personas):
    with pytest.raises(Exception, match="chưa có bản tự đánh giá"):
        pack_request(agency=tree["commune"], year=YEAR, user=personas.head)
    assert not EvidencePack.objects.exists()


# Permission matrix: (persona, request, progress, download) status codes.
MATRIX = [
    ("head", 302, 200, 200),  # head of the commune
    ("reviewer", 302, 200, 200),  # Phòng Nội vụ above it
    ("admin", 302, 200, 200),
    ("drafter", 403, 200, 200),  # the district's drafter reads the commune's, builds nothing
    ("outsider", 404, 404, 404),  # another district
    ("head2", 404, 404, 404),  # the neighbouring commune's head
]


@pytest.mark.parametrize(("persona", "ask", "poll", "fetch"), MATRIX)
def test_who_may_build_follow_and_download_the_pack(pack_world, personas, tree, client, persona, ask, poll, fetch,
                                                    django_capture_on_commit_callbacks):
    _built(pack_world, personas.head, django_capture_on_commit_callbacks)
    if persona == "head2":
        _, user = commune_added(tree)
        client.force_login(user)
    else:
        client.force_login(getattr(personas, persona))
    commune = tree["commune"].pk
    with django_capture_on_commit_callbacks(execute=False):
        assert client.post(reverse("par:pack_request", args=[commune, YEAR])).status_code == ask
    assert client.get(reverse("par:pack_progress", args=[commune, YEAR])).status_code == poll
    assert client.get(reverse("par:pack_download", args=[commune, YEAR]) + "?cu=1").status_code == fetch
    # GET on the request URL asks for nothing.
    assert client.get(reverse("par:pack_request", args=[commune, YEAR])).status_code in (404, 405)


def test_the_other_district_and_bad_ids_get_404(pack_world, personas, tree, client):
    personas.login(client, "head")
    assert client.get(reverse("par:pack_progress", args=[tree["district2"].pk, YEAR])).status_code == 404
    assert client.get(reverse("par:pack_progress", args=[999999, YEAR])).status_code == 404
    assert client.get(reverse("par:pack_progress", args=[tree["commune"].pk, 1900])).status_code == 404
    assert client.get(reverse("par:pack_download", args=[tree["commune"].pk, YEAR])).status_code == 404  # none yet
    assert client.get(reverse("par:pack_progress", args=[tree["commune"].pk, YEAR])).json()["status"] == "none"
    ask = reverse("par:pack_request", args=[tree["commune"].pk, YEAR])
    for target in ("-1", "//evil.example/", "javascript:alert(1)"):  # only a path of this site
        assert client.post(ask, {"next": target})["Location"] == reverse("par:home")
    assert client.post(ask, {"next": "/chi-so-cchc/?nam=2026"})["Location"] == "/chi-so-cchc/?nam=2026"


def test_progress_and_fingerprint_take_a_fixed_number_of_queries(pack_world, personas, tree, client,
                                                                 django_assert_max_num_queries,
                                                                 django_capture_on_commit_callbacks):
    _built(pack_world, personas.head, django_capture_on_commit_callbacks)
    personas.login(client, "head")
    url = reverse("par:pack_progress", args=[tree["commune"].pk, YEAR])
    client.get(url)  # warm-up: sessions, permission caches
    from django.db import connection as db
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(db) as small:
        client.get(url)
    q2 = pack_world["world"].report(tree["commune"], "Quý II/2026") if "Quý II/2026" in \
        pack_world["world"].periods else pack_world["world"].report(tree["commune"], "6 tháng đầu năm 2026")
    for number in range(5):
        evidence_add(report=q2, name=f"anh-{number}.png", content=PNG + bytes([number]), content_type="image/png",
                     user=personas.head)
    report_sent(report_fill(q2), by=personas.head, on=dt.date(YEAR, 6, 20))
    with CaptureQueriesContext(db) as large:
        client.get(url)
    assert len(large) == len(small)
    with django_assert_max_num_queries(12):
        pack_fingerprint(tree["commune"], YEAR)


def test_the_panel_shows_the_state_and_the_buttons(pack_world, personas, rf, django_capture_on_commit_callbacks):
    from django.template.loader import render_to_string

    request = rf.get("/chi-so-cchc/")
    request.user = personas.head
    html = render_to_string("par/partials/pack.html", {"assessment": pack_world["assessment"]}, request=request)
    assert "Tạo bộ hồ sơ" in html and "Tải về" in html and "<script>alert" not in html
    assert "js/par-pack.js" in html and "onclick" not in html and "style=" not in html
    _built(pack_world, personas.head, django_capture_on_commit_callbacks)
    html = render_to_string("par/partials/pack.html", {"assessment": pack_world["assessment"]}, request=request)
    assert "Tạo lại" in html and reverse("par:pack_download", args=[pack_world["commune"].pk, YEAR]) in html
    assert "Sẵn sàng tải về" in html and " tệp · " in html


# Through a real worker -----------------------------------------------------------------


@pytest.mark.worker
def test_the_worker_builds_the_pack_and_mails_the_requester(transactional_db, tree, personas, settings, client,
                                                            pack_worker):
    if os.environ.get("CI"):
        assert settings.CELERY_BROKER_URL.startswith("redis://"), "CI must use Redis"
    media_dir, mail_dir, log = pack_worker
    settings.MEDIA_ROOT = str(media_dir)  # the files the test stores, the worker reads
    personas.head.email = "lanhdao@mot.gov.vn"
    personas.head.save()
    data = _world(tree, personas)
    personas.login(client, "head")
    commune = data["commune"].pk
    response = client.post(reverse("par:pack_request", args=[commune, YEAR]), {"next": "/chi-so-cchc/"})
    assert response.status_code == 302 and response["Location"] == "/chi-so-cchc/"
    progress = reverse("par:pack_progress", args=[commune, YEAR])
    seen = set()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        state = client.get(progress).json()
        seen.add(state["status"])
        if state["status"] in ("ready", "failed"):
            break
        time.sleep(0.3)
    assert state["status"] == "ready", (state, log.read_text()[-3000:])
    assert state["percent"] == 100 and state["files"] == 9 and state["download"]
    pack = EvidencePack.objects.get(agency_id=commune, year=YEAR)
    download = client.get(state["download"])
    assert download.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    assert len(archive.namelist()) == pack.files_count == 9
    assert archive.testzip() is None

    def mails() -> str:
        return "".join(p.read_text(errors="replace") for p in mail_dir.glob("*.log")) if mail_dir.exists() else ""

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and "To: lanhdao@mot.gov.vn" not in mails():
        time.sleep(0.3)
    text = mails()
    assert "To: lanhdao@mot.gov.vn" in text, log.read_text()[-3000:]
    assert "đã sẵn sàng" in text
    assert f"/chi-so-cchc/ho-so-minh-chung/{commune}/{YEAR}/tai-ve/" in text
    assert PACK_TASK in log.read_text()


def test_the_assessment_page_checks_a_ready_pack_once(pack_world, personas, client,
                                                     django_capture_on_commit_callbacks):
    """Whether the pack is stale is asked twice by the page (to build it
    again, then to show it) and computed once: the fingerprint reads the
    evidence once, beside the page's own list of it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _built(pack_world, personas.head, django_capture_on_commit_callbacks)
    personas.login(client, "head")
    url = reverse("par:assessment", args=[pack_world["commune"].pk, YEAR])
    client.get(url)  # warm-up
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200 and "Sẵn sàng tải về" in response.content.decode()
    evidence_reads = [q for q in queries.captured_queries if 'FROM "reports_evidence"' in q["sql"]]
    assert len(evidence_reads) == 2  # the criteria's evidence, and the fingerprint's
    assert EvidencePack.objects.get(agency=pack_world["commune"], year=YEAR).status == EvidencePack.Status.READY
