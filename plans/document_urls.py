# Routes for the printed documents (PDF, DOCX) and their signed copy; see plans/documents/.
from django.urls import path

from . import document_views, signing_views

urlpatterns = [
    path("<int:plan_id>/pdf", document_views.plan_pdf, name="pdf"),
    path("<int:plan_id>/docx", document_views.plan_docx, name="docx"),
    path("<int:plan_id>/ky-so/", signing_views.plan_signed_copy_upload, name="signed_copy"),
    path("<int:plan_id>/ky-so/don-vi/", signing_views.plan_sign, name="sign"),
    path("kiem-tra-chu-ky/", signing_views.signature_check, name="signature_check"),
]
