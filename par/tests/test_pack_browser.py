"""The evidence pack's panel in Debian's Chromium under the portal's CSP:
queued, it follows the worker's progress without a reload and offers the
ZIP once ready; the download is the pack; after new evidence, opening the
page queues it again, and the old ZIP's download says it is stale."""

import datetime as dt
import io
import os
import zipfile

from django.utils import timezone
from playwright.sync_api import expect

from conftest import ARTIFACTS
from par.models import EvidencePack
from par.pack import pack_build
from par.tests.test_pack import YEAR, _world
from reports.services import evidence_add
from reports.tests.factories import report_fill, report_sent

LISTEN = """document.addEventListener("securitypolicyviolation", (e) => {
  console.error(`CSP-VIOLATION ${e.violatedDirective} blocked=${e.blockedURI}`);
});"""


def test_the_panel_follows_the_build_and_offers_the_zip(transactional_db, tree, personas, browser, live_server):
    data = _world(tree, personas)
    commune = data["commune"]
    pack = EvidencePack.objects.create(agency=commune, year=YEAR, status=EvidencePack.Status.QUEUED,
                                       requested_by=personas.head, requested_at=timezone.now())
    context = browser.new_context(viewport={"width": 1100, "height": 800}, locale="vi-VN", accept_downloads=True)
    context.add_init_script(LISTEN)
    page = context.new_page()
    page.set_default_timeout(20_000)
    problems = []
    page.on("console", lambda m: problems.append(m.text) if "CSP-VIOLATION" in m.text or "Refused" in m.text else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(live_server.url + "/dang-nhap/")
    page.fill("#id_username", personas.head.username)
    page.fill("#id_password", personas.password)
    page.click("button[type=submit]")
    page.wait_for_url(live_server.url + "/")

    page.goto(f"{live_server.url}/chi-so-cchc/{commune.pk}/{YEAR}/")  # the self-assessment page
    expect(page.locator("#par-pack-status")).to_have_text("Đang chờ tạo")
    expect(page.locator("#par-pack-progress")).to_be_visible()
    expect(page.locator("#par-pack-build")).to_be_disabled()
    os.makedirs(ARTIFACTS, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "par-pack-queued.png"))

    assert pack_build(pack.pk) == EvidencePack.Status.READY  # as the worker would, while the page polls
    expect(page.locator("#par-pack-status")).to_have_text("Sẵn sàng tải về")
    expect(page.locator("#par-pack-download")).to_be_visible()
    expect(page.locator("#par-pack-progress")).to_be_hidden()
    expect(page.locator("#par-pack-files")).to_have_text("9")
    page.screenshot(path=str(ARTIFACTS / "par-pack-ready.png"))
    with page.expect_download() as info:
        page.click("#par-pack-download")
    download = info.value
    assert download.suggested_filename == "Ho-so-minh-chung-CCHC-2026-Uy-ban-nhan-dan-xa-Mot.zip"
    with open(download.path(), "rb") as handle:
        assert len(zipfile.ZipFile(io.BytesIO(handle.read())).namelist()) == 9

    half = data["world"].report(commune, "6 tháng đầu năm 2026")
    evidence_add(report=half, name="pa-no.jpg", content=b"\xff\xd8\xff" + os.urandom(300), content_type="image/jpeg",
                 user=personas.head)
    report_sent(report_fill(half), by=personas.head, on=dt.date(YEAR, 6, 20))
    page.reload()
    # The data changed: opening the page queued the pack again, nobody had to ask.
    expect(page.locator("#par-pack-status")).to_have_text("Đang chờ tạo")
    expect(page.locator("#par-pack-progress")).to_be_visible()
    pack.refresh_from_db()
    assert pack.status == EvidencePack.Status.QUEUED and pack.requested_by is None
    page.screenshot(path=str(ARTIFACTS / "par-pack-stale.png"))
    page.goto(f"{live_server.url}/chi-so-cchc/ho-so-minh-chung/{commune.pk}/{YEAR}/tai-ve/")
    expect(page.get_by_role("button", name="Tạo lại bộ hồ sơ")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "par-pack-stale-download.png"))
    assert problems == []
    context.close()
