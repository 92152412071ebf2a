"""Text is cleaned where it enters: decomposed Unicode (Unikey's "tổ hợp")
becomes composed, control characters from Word or PDFs are dropped."""

import unicodedata

from django.http import HttpResponse, QueryDict
from django.test import RequestFactory

from common.middleware import CleanTextMiddleware
from common.text import clean_text

DECOMPOSED = unicodedata.normalize("NFD", "Tuyên truyền cải cách hành chính")


def test_clean_text_composes_and_drops_control_characters():
    assert clean_text(DECOMPOSED + "\x00\x0b\x1f\x7f") == "Tuyên truyền cải cách hành chính"
    assert clean_text("dòng 1\r\ndòng 2\tcột") == "dòng 1\r\ndòng 2\tcột"


def seen_by_the_view(request_factory_call):
    seen = {}

    def view(request):
        seen["GET"], seen["POST"] = request.GET, request.POST
        return HttpResponse("ok")

    CleanTextMiddleware(view)(request_factory_call)
    return seen


def test_form_posts_and_query_strings_arrive_cleaned_but_passwords_do_not():
    password = DECOMPOSED + "\x01"
    request = RequestFactory().post(
        f"/?q={DECOMPOSED}%00", {"title": DECOMPOSED + "\x00", "rows-0-text": ["a\x0c", DECOMPOSED],
                                 "password": password},
    )
    seen = seen_by_the_view(request)
    assert seen["GET"]["q"] == "Tuyên truyền cải cách hành chính"
    assert seen["POST"]["title"] == "Tuyên truyền cải cách hành chính"
    assert seen["POST"].getlist("rows-0-text") == ["a", "Tuyên truyền cải cách hành chính"]
    assert seen["POST"]["password"] == password
    assert isinstance(seen["POST"], QueryDict) and not seen["POST"]._mutable


def test_uploaded_file_names_and_json_bodies_are_cleaned_too():
    import json

    from django.core.files.uploadedfile import SimpleUploadedFile

    factory = RequestFactory()
    upload = SimpleUploadedFile("ke\x00hoa\u0323ch\x1f.txt", b"KE HOACH\x00")
    seen = {}

    def view(request):
        if request.content_type == "application/json":
            seen["body"] = request.body
        else:
            seen["files"] = request.FILES
        return HttpResponse("ok")

    CleanTextMiddleware(view)(factory.post("/", {"file": upload, "note": "a\x00b"}))
    assert seen["files"]["file"].name == "kehoạch.txt"
    assert seen["files"]["file"].read() == b"KE HOACH\x00"  # content: the reader's job
    body = json.dumps({"ghi\x00chú": ["a\x00b", {"c": "Tuye\u0302\u0300n\x07"}], "n": 5})
    CleanTextMiddleware(view)(factory.post("/", body, content_type="application/json"))
    assert json.loads(seen["body"]) == {"ghichú": ["ab", {"c": "Tuyền"}], "n": 5}
    CleanTextMiddleware(view)(factory.post("/", b"{not json\x00", content_type="application/json"))
    assert seen["body"] == b"{not json\x00"
