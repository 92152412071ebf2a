"""The signed copy in Debian's Chromium: the head of the issuer uploads a
PDF signed outside (a tampered one is refused with the reason under the
field), then has the portal sign with the agency's certificate, and the
page shows who signed and when."""

import pytest
from playwright.sync_api import expect

from agencies.models import SigningCertificate
from agencies.signing import signing_certificate_fill, trust_root_add
from agencies.tests.factories import PASSWORD
from nd30.signing import pdf_sign
from nd30.tests.ca import NOW, build_ca
from plans.documents.storage import plan_document_bytes
from plans.models import Area, Channel, PlanSignedCopy
from plans.reference import reference_lists_ensure
from plans.tests.factories import plan_issued

PASS = b"mat-khau-thu"


@pytest.mark.django_db(transaction=True)
def test_head_uploads_then_portal_signs(live_server, log_in, tree, personas):
    reference_lists_ensure(Area, Channel)
    ca = build_ca()
    trust_root_add(data=ca.root.pem)
    plan = plan_issued(issuer=tree["district"], drafter=personas.drafter, head=personas.head)
    signed = pdf_sign(plan_document_bytes(plan=plan, fmt="pdf"), pkcs12=ca.pkcs12(ca.leaf(common_name="Nguyễn Văn An")),
                      passphrase=PASS, organisation="UBND huyện Một", when=NOW)
    start = signed.index(b"stream", signed.index(b"/Length")) + 10
    tampered = bytearray(signed)
    tampered[start] ^= 0xFF

    page = log_in(personas.head.username, PASSWORD)
    page.goto(f"{live_server.url}/plans/{plan.pk}/")
    panel = page.locator("#signed-copy")
    expect(panel).to_contain_text("chưa có bản ký số")
    panel.get_by_role("link", name="Tải lên bản đã ký số").click()

    page.locator("input[type=file][name=file]").set_input_files(
        files=[{"name": "ky-so.pdf", "mimeType": "application/pdf", "buffer": bytes(tampered)}])
    page.get_by_role("button", name="Tải lên và kiểm tra").click()
    expect(page.locator("form[enctype]")).to_contain_text("nội dung văn bản đã bị thay đổi sau khi ký")
    assert not PlanSignedCopy.objects.exists()

    page.locator("input[type=file][name=file]").set_input_files(
        files=[{"name": "ky-so.pdf", "mimeType": "application/pdf", "buffer": signed}])
    page.get_by_role("button", name="Tải lên và kiểm tra").click()
    expect(page.locator("#signed-copy")).to_contain_text("Chữ ký số hợp lệ.")
    expect(page.locator("#signed-copy")).to_contain_text("Nguyễn Văn An")
    assert PlanSignedCopy.objects.get().source == PlanSignedCopy.Source.UPLOADED
    # Signed with a certificate of another organisation: stored, with a warning.
    expect(page.locator("#signer-warning")).to_contain_text(
        "chứng thư số ghi tổ chức “UBND tỉnh Hải Dương”, không phải cơ quan ban hành “Ủy ban nhân dân huyện Một”")

    # An administrator configures the district's certificate: the button appears.
    certificate = SigningCertificate(agency=tree["district"], organisation="Ủy ban nhân dân huyện Một")
    signing_certificate_fill(certificate, data=ca.pkcs12(ca.leaf(organisation="UBND huyện Một")), passphrase=PASS)
    page.reload()
    page.locator("#signed-copy").get_by_role("button", name="Ký số bằng chứng thư của đơn vị").click()
    # One click only asks: the current copy would be replaced.
    dialog = page.locator("#confirm-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Bản ký số hiện tại (ký bởi UBND tỉnh Hải Dương")
    expect(dialog).to_contain_text("sẽ bị thay bằng bản mới")
    dialog.get_by_role("button", name="Hủy, quay lại").click()
    expect(dialog).to_be_hidden()
    assert PlanSignedCopy.objects.get().source == PlanSignedCopy.Source.UPLOADED
    page.locator("#signed-copy").get_by_role("button", name="Ký số bằng chứng thư của đơn vị").click()
    dialog.get_by_role("button", name="Ký số").click()
    expect(page.locator("#signed-copy")).to_contain_text("Cổng ký bằng chứng thư của đơn vị")
    expect(page.locator("#signed-copy")).to_contain_text("Ký bởi: UBND huyện Một")
    expect(page.locator("#signer-warning")).to_have_count(0)
    with page.expect_download() as download:
        page.locator("#signed-copy").get_by_role("link", name="Tải bản ký số (PDF)").click()
    assert download.value.suggested_filename.endswith("-ky-so.pdf")
