# Routes for the printed documents (PDF, DOCX); see plans/documents/.
from django.urls import path

from . import document_views

urlpatterns = [
    path("<int:plan_id>/pdf", document_views.plan_pdf, name="pdf"),
    path("<int:plan_id>/docx", document_views.plan_docx, name="docx"),
]
