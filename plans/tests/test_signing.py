"""The signed copy (bản ký số) of an issued plan, with a test CA built here:
the portal signs with the agency's certificate, a head uploads a PDF signed
outside, every download then serves the signed copy; refused files, wrong
roles and drafts write nothing."""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from accounts.models import AuditEvent
from agencies.models import SigningCertificate, TrustRoot
from agencies.signing import signing_certificate_fill, trust_root_add
from agencies.tests.factories import PASSWORD
from nd30.signing import pdf_sign, pdf_verify
from nd30.tests.ca import NOW, YEAR, build_ca
from plans.documents.storage import plan_document_bytes, plan_document_filename
from plans.models import Plan, PlanSignedCopy
from plans.services import plan_sign_with_agency_certificate, plan_signed_copy_upload

from .factories import plan_draft, plan_issued

PASS = b"mat-khau-thu"
ORG = "UBND huyện Một"


@pytest.fixture(scope="module")
def ca():
    return build_ca()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def trusted(db, ca):
    return trust_root_add(data=ca.root.pem, name="CA thử nghiệm")


@pytest.fixture
def plan(tree, personas, media):
    return plan_issued(issuer=tree["district"], drafter=personas.drafter, head=personas.head)


@pytest.fixture
def agency_certificate(tree, ca, media, trusted):
    leaf = ca.leaf(organisation=ORG, common_name=ORG)
    certificate = SigningCertificate(agency=tree["district"], organisation=ORG)
    return signing_certificate_fill(certificate, data=ca.pkcs12(leaf), passphrase=PASS)


def _fresh(plan: Plan) -> Plan:
    return Plan.objects.get(pk=plan.pk)


def _signed_outside(ca, plan, *, leaf=None, when=None) -> bytes:
    """The portal's PDF signed as a leader's token would: another tool, another field."""
    leaf = leaf or ca.leaf(organisation=ORG, common_name="Nguyễn Văn An")
    return pdf_sign(plan_document_bytes(plan=plan, fmt="pdf"), pkcs12=ca.pkcs12(leaf), passphrase=PASS,
                    organisation=ORG, when=when or NOW)


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def _upload(client, plan, data: bytes, name="ky-so.pdf"):
    return client.post(reverse("plans:signed_copy", args=[plan.pk]), {"file": ContentFile(data, name=name)})


def pdftotext(data: bytes) -> str:
    return subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()


# The portal signs ---------------------------------------------------------------

def test_portal_signs_the_issued_plan_and_downloads_serve_the_signed_copy(client, personas, plan, agency_certificate,
                                                                            ca):
    portal_pdf = plan_document_bytes(plan=_fresh(plan), fmt="pdf")
    _login(client, personas.head)
    page = client.get(reverse("plans:detail", args=[plan.pk]))
    assert "Ký số bằng chứng thư của đơn vị" in page.content.decode()
    response = client.post(reverse("plans:sign", args=[plan.pk]))
    assert response.status_code == 302

    copy = PlanSignedCopy.objects.get(plan=plan)
    assert copy.verified_ok and copy.source == PlanSignedCopy.Source.PORTAL
    assert copy.signer_organisation == ORG and copy.created_by == personas.head
    assert copy.signed_at is not None and abs(copy.signed_at - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=5)
    assert AuditEvent.objects.filter(action="sign_plan", user=personas.head).count() == 1
    assert not AuditEvent.objects.filter(action="upload_signed_plan").exists()

    # Every PDF download goes through plan_document_bytes: the signed copy, named so.
    download = client.get(reverse("plans:pdf", args=[plan.pk]))
    data = b"".join(download.streaming_content) if download.streaming else download.content
    assert data != portal_pdf and data.startswith(portal_pdf[:8])
    check = pdf_verify(data, trust_roots=[ca.root.pem])
    assert check.ok and check.signer_organisation == ORG
    assert "-ky-so.pdf" in download["Content-Disposition"]
    fresh = _fresh(plan)
    assert plan_document_bytes(plan=fresh, fmt="pdf") == data
    assert plan_document_filename(fresh, "pdf").endswith("-ky-so.pdf")
    assert plan_document_bytes(plan=fresh, fmt="pdf", signed=False) == portal_pdf
    # The visible box: organisation and the time, read back from the file.
    text = pdftotext(data)
    assert f"Ký bởi: {ORG}" in text
    assert "Thời gian ký: " in text and "+07:00" in text
    # The page shows who signed and when.
    page = client.get(reverse("plans:detail", args=[plan.pk])).content.decode()
    assert "Chữ ký số hợp lệ." in page and ORG in page and "Tải bản ký số (PDF)" in page
    # The public register (no login) says so and serves the same signed file.
    client.logout()
    public = client.get(reverse("public:plan", args=[plan.pk])).content.decode()
    assert f"Bản có chữ ký số của {ORG}" in public and "-ky-so.pdf" in public
    public_pdf = client.get(reverse("public:pdf", args=[plan.pk]))
    assert public_pdf.content == data and "-ky-so.pdf" in public_pdf["Content-Disposition"]


def test_the_sign_button_needs_a_configured_certificate(client, personas, plan, trusted):
    _login(client, personas.head)
    page = client.get(reverse("plans:detail", args=[plan.pk])).content.decode()
    assert "Tải lên bản đã ký số" in page
    assert "Ký số bằng chứng thư của đơn vị" not in page
    response = client.post(reverse("plans:sign", args=[plan.pk]), follow=True)
    assert "chưa được cấu hình chứng thư số" in response.content.decode()
    assert not PlanSignedCopy.objects.exists()


def test_portal_signing_refused_when_its_root_is_not_trusted(client, personas, plan, agency_certificate):
    TrustRoot.objects.update(is_active=False)
    with pytest.raises(Exception, match="không qua kiểm tra"):
        plan_sign_with_agency_certificate(plan=_fresh(plan), user=personas.head)
    assert not PlanSignedCopy.objects.exists()


# Uploads ------------------------------------------------------------------------

def test_head_uploads_a_pdf_signed_outside_and_it_replaces_the_portal_pdf(client, personas, plan, trusted, ca):
    data = _signed_outside(ca, plan)
    _login(client, personas.head)
    assert client.get(reverse("plans:signed_copy", args=[plan.pk])).status_code == 200
    response = _upload(client, plan, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    copy = PlanSignedCopy.objects.get(plan=plan)
    assert copy.source == PlanSignedCopy.Source.UPLOADED
    assert copy.signer_name == "Nguyễn Văn An" and copy.size == len(data)
    event = AuditEvent.objects.get(action="upload_signed_plan")
    assert event.user == personas.head and event.get_action_display() == "Tải lên bản ký số"
    assert not AuditEvent.objects.filter(action="sign_plan").exists()
    assert client.get(reverse("plans:pdf", args=[plan.pk])).content == data


def test_the_same_pdf_with_one_byte_changed_is_refused_with_the_reason(client, personas, plan, trusted, ca):
    data = _signed_outside(ca, plan)
    start = data.index(b"stream", data.index(b"/Length")) + 10
    changed = bytearray(data)
    changed[start] ^= 0xFF
    _login(client, personas.head)
    response = _upload(client, plan, bytes(changed))
    assert response.status_code == 400
    assert "nội dung văn bản đã bị thay đổi sau khi ký" in response.content.decode()
    assert not PlanSignedCopy.objects.exists()
    # And the intact file is accepted.
    assert _upload(client, plan, data).status_code == 302


@pytest.mark.parametrize("case", ["unsigned", "untrusted", "expired", "other_document", "not_pdf", "appended"])
def test_bad_signed_pdfs_are_refused_with_the_reason_and_nothing_is_stored(client, personas, plan, trusted, ca, case):
    portal = plan_document_bytes(plan=_fresh(plan), fmt="pdf")
    if case == "unsigned":
        data, reason = portal, "Tệp PDF không có chữ ký số."
    elif case == "untrusted":
        other = build_ca("CA lạ")
        data, reason = _signed_outside(other, plan, leaf=other.leaf()), "không do tổ chức chứng thực tin cậy cấp"
    elif case == "expired":
        from nd30.signing import pdf_verify as verify

        leaf = ca.leaf(not_before=NOW - 2 * YEAR, not_after=NOW - dt.timedelta(days=1))
        import io

        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
        from pyhanko.sign import signers

        signer = signers.SimpleSigner.load_pkcs12_data(ca.pkcs12(leaf), other_certs=[], passphrase=PASS)
        data = signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(portal)),
                                signers.PdfSignatureMetadata(field_name="Sig1"), signer=signer).getvalue()
        assert not verify(data, trust_roots=[ca.root.pem]).ok
        reason = "không có hiệu lực tại thời điểm ký"
    elif case == "other_document":
        from nd30.pdf import html_to_pdf

        other_pdf = html_to_pdf("<p>Một</p><p style='page-break-before:always'>Hai</p>"
                                "<p style='page-break-before:always'>Ba</p><p style='page-break-before:always'>Bốn</p>"
                                "<p style='page-break-before:always'>Năm</p>")
        data = pdf_sign(other_pdf, pkcs12=ca.pkcs12(ca.leaf()), passphrase=PASS, organisation=ORG, when=NOW)
        reason = "Tệp đã ký không phải văn bản của kế hoạch này: trang 1 khác với bản PDF do cổng in."
    elif case == "not_pdf":
        data, reason = b"PK\x03\x04" + b"x" * 100, "Tệp không phải PDF."
    else:
        import io

        from pyhanko.pdf_utils import generic
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

        writer = IncrementalPdfFileWriter(io.BytesIO(_signed_outside(ca, plan)))
        writer.add_stream_to_page(0, writer.add_object(generic.StreamObject(stream_data=b"0 0 1 rg 9 9 99 99 re f")))
        out = io.BytesIO()
        writer.write(out)
        data, reason = out.getvalue(), "sửa đổi sau khi ký"
    _login(client, personas.head)
    response = _upload(client, plan, data)
    assert response.status_code == 400
    assert reason in response.content.decode()
    assert not PlanSignedCopy.objects.exists()
    assert not AuditEvent.objects.filter(action__in=["sign_plan", "upload_signed_plan"]).exists()
    assert client.get(reverse("plans:pdf", args=[plan.pk])).content == portal


def _refused_upload(client, personas, plan, data) -> str:
    _login(client, personas.head)
    response = _upload(client, plan, data)
    assert response.status_code == 400
    assert not PlanSignedCopy.objects.filter(plan=plan).exists()
    assert not AuditEvent.objects.filter(action__in=["sign_plan", "upload_signed_plan"]).exists()
    return response.content.decode()


def test_another_plan_signed_with_a_trusted_certificate_is_refused(client, tree, personas, plan, trusted, ca):
    other = plan_issued(issuer=tree["district"], drafter=personas.drafter, head=personas.head, number=2,
                        title="Tuyên truyền cải cách hành chính về chuyển đổi số năm 2026")
    data = _signed_outside(ca, other)
    assert pdf_verify(data, trust_roots=[ca.root.pem]).ok
    assert len(pypdf_pages(data)) == len(pypdf_pages(plan_document_bytes(plan=_fresh(plan), fmt="pdf")))
    page = _refused_upload(client, personas, plan, data)
    assert ("Tệp đã ký không phải văn bản của kế hoạch này: trang 1 khác với bản PDF do cổng in. "
            "Hãy tải bản PDF của kế hoạch, ký số rồi tải lên.") in page
    # Nor is it stored for the other plan by mistake; that plan takes its own.
    assert not PlanSignedCopy.objects.exists()
    assert _upload(client, other, data).status_code == 302


def test_the_plan_pdf_with_one_word_changed_before_signing_is_refused(client, personas, plan, trusted, ca):
    from plans.documents.pdf import plan_pdf_render

    changed = _fresh(plan)
    last_word = changed.title.split()[-1]
    changed.title = changed.title.removesuffix(last_word) + "2027"  # in memory only
    pdf = plan_pdf_render(plan=changed)
    data = pdf_sign(pdf, pkcs12=ca.pkcs12(ca.leaf(organisation=ORG, common_name="Nguyễn Văn An")),
                    passphrase=PASS, organisation=ORG, when=NOW)
    assert pdf_verify(data, trust_roots=[ca.root.pem]).ok
    page = _refused_upload(client, personas, plan, data)
    assert "Tệp đã ký không phải văn bản của kế hoạch này: trang 1 khác với bản PDF do cổng in." in page


def test_the_signature_box_is_not_page_text(ca, plan):
    """What makes the comparison work: the visible box is an annotation."""
    from plans.services.signing import _page_texts

    portal = plan_document_bytes(plan=_fresh(plan), fmt="pdf")
    signed = _signed_outside(ca, plan)
    assert "Kýbởi" in pdftotext(signed).replace(" ", "")
    assert _page_texts(signed) == _page_texts(portal)


def test_a_file_rewritten_by_another_tool_with_the_same_text_is_accepted(client, personas, plan, trusted, ca):
    """Not an incremental update: every page's content differs in bytes (a
    drawing added), so the text decides, and it is the same."""
    import io

    from pypdf import PdfWriter
    from pypdf.generic import ContentStream

    writer = PdfWriter(clone_from=io.BytesIO(plan_document_bytes(plan=_fresh(plan), fmt="pdf")))
    for page in writer.pages:
        content = ContentStream(page.get_contents(), writer)
        content.set_data(content.get_data() + b"\nq 0.5 g 1 1 2 2 re f Q\n")
        page.replace_contents(content)
    out = io.BytesIO()
    writer.write(out)
    data = pdf_sign(out.getvalue(), pkcs12=ca.pkcs12(ca.leaf(organisation=ORG)), passphrase=PASS,
                    organisation=ORG, when=NOW)
    _login(client, personas.head)
    response = _upload(client, plan, data)
    assert response.status_code == 302, response.content.decode()[:3000]


def pypdf_pages(data: bytes):
    import io

    from pypdf import PdfReader

    return PdfReader(io.BytesIO(data)).pages


def test_an_oversized_upload_is_refused(client, personas, plan, trusted, settings, monkeypatch):
    from plans.services import signing

    monkeypatch.setattr(signing, "MAX_SIGNED_PDF_BYTES", 1000)
    _login(client, personas.head)
    response = _upload(client, plan, b"%PDF-1.7\n" + b"0" * 2000)
    assert response.status_code == 400 and "Tệp quá lớn" in response.content.decode()
    assert not PlanSignedCopy.objects.exists()


# Who may ------------------------------------------------------------------------

@pytest.mark.parametrize("who, expected", [
    ("head", 302), ("drafter", 403), ("reviewer", (403, 404)), ("outsider", 404), ("anonymous", 302),
])
def test_upload_permission_matrix(client, personas, plan, trusted, ca, who, expected):
    data = _signed_outside(ca, plan)
    if who != "anonymous":
        _login(client, getattr(personas, who))
    get = client.get(reverse("plans:signed_copy", args=[plan.pk]))
    response = _upload(client, plan, data)
    sign = client.post(reverse("plans:sign", args=[plan.pk]))
    if who == "head":
        assert get.status_code == 200 and response.status_code == 302
        assert PlanSignedCopy.objects.filter(plan=plan).exists()
        return
    allowed = expected if isinstance(expected, tuple) else (expected,)
    if who == "anonymous":
        login = reverse("login")
        for refused in (get, response, sign):
            assert refused.status_code == 302 and refused["Location"].startswith(login)
    else:
        assert get.status_code in allowed and response.status_code in allowed and sign.status_code in allowed
        page = client.get(reverse("plans:detail", args=[plan.pk]))
        if page.status_code == 200:
            assert "Tải lên bản đã ký số" not in page.content.decode()
    assert not PlanSignedCopy.objects.exists()


def test_a_draft_cannot_get_a_signed_copy(client, tree, personas, trusted, ca, media):
    draft = plan_draft(issuer=tree["district"], created_by=personas.drafter)
    _login(client, personas.head)
    assert client.get(reverse("plans:signed_copy", args=[draft.pk])).status_code == 403
    data = pdf_sign(plan_document_bytes(plan=draft, fmt="pdf"), pkcs12=ca.pkcs12(ca.leaf()), passphrase=PASS,
                    organisation=ORG, when=NOW)
    assert _upload(client, draft, data).status_code == 403
    assert client.post(reverse("plans:sign", args=[draft.pk])).status_code == 403
    with pytest.raises(Exception, match="đã ban hành"):
        plan_signed_copy_upload(plan=draft, user=personas.head, data=data)
    assert not PlanSignedCopy.objects.exists()
    assert "Bản ký số" not in client.get(reverse("plans:detail", args=[draft.pk])).content.decode()


def test_the_staff_pdf_download_of_another_role_serves_the_signed_copy_too(client, personas, plan, trusted, ca):
    data = _signed_outside(ca, plan)
    plan_signed_copy_upload(plan=_fresh(plan), user=personas.head, data=data)
    _login(client, personas.drafter)
    assert client.get(reverse("plans:pdf", args=[plan.pk])).content == data
    # The DOCX stays the portal's (a signature lives in the PDF).
    docx = client.get(reverse("plans:docx", args=[plan.pk]))
    assert docx.status_code == 200 and docx.content[:2] == b"PK"


# Checking any PDF ---------------------------------------------------------------

def test_signature_check_page(client, personas, plan, trusted, ca):
    url = reverse("plans:signature_check")
    assert client.get(url).status_code == 302  # signed-in users only
    _login(client, personas.drafter)
    assert client.get(url).status_code == 200
    ok = client.post(url, {"file": ContentFile(_signed_outside(ca, plan), name="a.pdf")}).content.decode()
    assert "Chữ ký số hợp lệ." in ok and "Nguyễn Văn An" in ok
    bad = client.post(url, {"file": ContentFile(plan_document_bytes(plan=plan, fmt="pdf"), name="b.pdf")})
    assert "Tệp PDF không có chữ ký số." in bad.content.decode()
    # A refusal says its verdict once.
    other = build_ca("CA lạ")
    untrusted = client.post(url, {"file": ContentFile(_signed_outside(other, plan, leaf=other.leaf()), name="c.pdf")})
    text = untrusted.content.decode()
    assert text.count("không hợp lệ") == 1 and "Chữ ký số không hợp lệ: chứng thư số không do tổ chức chứng thực tin cậy cấp" \
        in text
    # Not a PDF is not a verdict on a signature.
    zip_file = client.post(url, {"file": ContentFile(b"PK\x03\x04 a zip", name="d.pdf")}).content.decode()
    assert "Không kiểm tra được: tệp không phải PDF." in zip_file and "không hợp lệ" not in zip_file
    assert not PlanSignedCopy.objects.exists()


# Administrators' certificates ---------------------------------------------------

def test_admin_adds_trust_roots_checked_on_upload(client, personas, ca, db):
    _login(client, personas.admin)
    url = reverse("admin:agencies_trustroot_add")
    ok = client.post(url, {"name": "Gốc thử", "is_active": "on",
                           "certificate": ContentFile(ca.root.der, name="root.cer")})
    assert ok.status_code == 302, ok.content.decode()[:3000]
    root = TrustRoot.objects.get()
    assert root.pem.startswith("-----BEGIN CERTIFICATE-----") and root.is_active
    again = client.post(url, {"name": "Lần hai", "certificate": ContentFile(ca.root.pem, name="root.pem")})
    assert "đã có trong danh sách" in again.content.decode()
    leaf = client.post(url, {"name": "Lá", "certificate": ContentFile(ca.leaf().pem, name="leaf.pem")})
    assert "không phải chứng thư của tổ chức cung cấp dịch vụ" in leaf.content.decode()
    junk = client.post(url, {"name": "Rác", "certificate": ContentFile(b"hello", name="x.pem")})
    assert "không phải chứng thư số X.509" in junk.content.decode()
    assert TrustRoot.objects.count() == 1


def test_admin_sets_an_agency_certificate_passphrase_encrypted_never_shown(client, personas, tree, ca, media):
    _login(client, personas.admin)
    url = reverse("admin:agencies_signingcertificate_add")
    p12 = ca.pkcs12(ca.leaf(organisation=ORG))
    wrong = client.post(url, {"agency": tree["district"].pk, "passphrase": "sai", "is_active": "on",
                              "upload": ContentFile(p12, name="dv.p12")})
    assert "sai mật khẩu" in wrong.content.decode()
    assert not SigningCertificate.objects.exists()
    ok = client.post(url, {"agency": tree["district"].pk, "passphrase": PASS.decode(), "is_active": "on",
                           "upload": ContentFile(p12, name="dv.p12")})
    assert ok.status_code == 302, ok.content.decode()[:3000]
    certificate = SigningCertificate.objects.get()
    assert certificate.organisation == ORG and certificate.serial
    assert PASS.decode() not in certificate.passphrase_encrypted
    from agencies.signing import signing_passphrase

    assert signing_passphrase(certificate) == PASS
    change = client.get(reverse("admin:agencies_signingcertificate_change", args=[certificate.pk])).content.decode()
    assert PASS.decode() not in change and certificate.passphrase_encrypted not in change


def test_the_orphan_sweep_keeps_signed_copies_and_reports_a_lost_one(personas, plan, trusted, ca):
    import datetime as _dt

    from django.core.files.storage import default_storage

    from common.files import files_orphans

    copy = plan_signed_copy_upload(plan=_fresh(plan), user=personas.head, data=_signed_outside(ca, plan))
    later = dt.datetime.now(dt.UTC) + _dt.timedelta(days=3)
    report = files_orphans(delete=True, now=later)
    assert copy.file.name not in report.deleted and default_storage.exists(copy.file.name)
    default_storage.delete(copy.file.name)
    assert ("bản ký số kế hoạch", copy.file.name) in files_orphans(now=later).missing


def test_a_lost_signed_copy_falls_back_to_the_portal_pdf(personas, plan, trusted, ca):
    from django.core.files.storage import default_storage

    portal = plan_document_bytes(plan=_fresh(plan), fmt="pdf")
    copy = plan_signed_copy_upload(plan=_fresh(plan), user=personas.head, data=_signed_outside(ca, plan))
    default_storage.delete(copy.file.name)
    assert plan_document_bytes(plan=_fresh(plan), fmt="pdf") == portal


# Who signed, against the issuer --------------------------------------------------

@pytest.mark.parametrize("names, matches", [
    (("UBND huyện Một", ""), True),
    (("Ủy ban nhân dân huyện Một", ""), True),
    (("UỶ BAN NHÂN DÂN HUYỆN MỘT", ""), True),
    (("ubnd  huyen mot.", ""), True),
    (("", "UBND Huyện Một"), True),
    (("Văn phòng UBND huyện Một", "Nguyễn Văn An"), False),
    (("UBND huyện Hai", ""), False),
    (("", ""), False),
])
def test_certificate_names_the_issuer_whatever_the_spelling(tree, names, matches):
    from agencies.signing import certificate_names_agency

    assert certificate_names_agency(tree["district"], *names) is matches


def test_short_name_counts_too(tree):
    from agencies.signing import certificate_names_agency

    district = tree["district"]
    district.short_name = "Huyện Một"
    assert certificate_names_agency(district, "HUYEN MOT")


def test_a_copy_signed_by_another_organisation_is_stored_with_a_warning(client, personas, plan, trusted, ca):
    leaf = ca.leaf(organisation="Sở Tài chính tỉnh Thử", common_name="Trần Thị Bình")
    data = pdf_sign(plan_document_bytes(plan=_fresh(plan), fmt="pdf"), pkcs12=ca.pkcs12(leaf), passphrase=PASS,
                    organisation="Sở Tài chính tỉnh Thử", when=NOW)
    _login(client, personas.head)
    response = client.post(reverse("plans:signed_copy", args=[plan.pk]), {"file": ContentFile(data, name="a.pdf")},
                           follow=True)
    warning = ("Lưu ý: chứng thư số ghi tổ chức “Sở Tài chính tỉnh Thử”, không phải cơ quan ban hành "
               "“Ủy ban nhân dân huyện Một”. Kiểm tra lại người ký.")
    page = response.content.decode()
    assert PlanSignedCopy.objects.filter(plan=plan).exists()  # a warning, not a refusal
    # Once in the upload's message, once on the panel.
    assert page.count(warning.replace("“", "&ldquo;").replace("”", "&rdquo;")) + page.count(warning) == 2
    assert 'id="signer-warning"' in page
    again = client.get(reverse("plans:signed_copy", args=[plan.pk])).content.decode()
    assert 'id="signer-warning"' in again


def test_a_copy_signed_by_the_issuer_has_no_warning(client, personas, plan, trusted, ca):
    _login(client, personas.head)
    response = _upload(client, plan, _signed_outside(ca, plan))
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Lưu ý: chứng thư số ghi tổ chức" not in page and "Chữ ký số hợp lệ." in page


def test_signing_asks_first_and_says_it_replaces_the_current_copy(client, personas, plan, agency_certificate, ca):
    _login(client, personas.head)
    url = reverse("plans:sign", args=[plan.pk])
    page = client.get(reverse("plans:detail", args=[plan.pk])).content.decode()
    assert f'href="{url}"' in page and "data-confirm=" in page and 'id="confirm-dialog"' in page
    assert "Bản ký số trở thành bản chính thức" in page
    # Without JavaScript the link leads to the question; nothing is signed by a GET.
    question = client.get(url)
    assert question.status_code == 200 and "Bản ký số trở thành bản chính thức" in question.content.decode()
    assert not PlanSignedCopy.objects.exists()
    plan_signed_copy_upload(plan=_fresh(plan), user=personas.head, data=_signed_outside(ca, plan))
    for address in (reverse("plans:detail", args=[plan.pk]), reverse("plans:signed_copy", args=[plan.pk]), url):
        text = client.get(address).content.decode()
        assert "Bản ký số hiện tại (ký bởi UBND huyện Một" in text and "sẽ bị thay bằng bản mới" in text
    assert client.post(url, {"confirmed": "1"}).status_code == 302
    assert PlanSignedCopy.objects.get().source == PlanSignedCopy.Source.PORTAL


def test_a_refused_upload_shows_its_reason_before_the_stored_copy(client, personas, plan, trusted, ca):
    plan_signed_copy_upload(plan=_fresh(plan), user=personas.head, data=_signed_outside(ca, plan))
    _login(client, personas.head)
    response = _upload(client, plan, plan_document_bytes(plan=_fresh(plan), fmt="pdf", signed=False))
    page = response.content.decode()
    assert response.status_code == 400
    error = page.index("Tệp PDF không có chữ ký số.")
    form_end = page.index("</form>", error)
    assert page.rindex('enctype="multipart/form-data"', 0, error) > 0
    current = page.index("Bản ký số hiện tại")
    assert error < form_end < current < page.index("Chữ ký số hợp lệ.")
