"""The plan as an official document (Nghị định 30/2020/NĐ-CP): PDF through
WeasyPrint, DOCX through python-docx, both built from the same content
(content.py) so the two files always say the same thing.

The letterhead, signature and recipients are separate parts (parts.py, the
templates/documents/_*.html includes, docx_parts.py) because the summary
report (BC) prints the same ones."""

import logging

# WeasyPrint logs every layout step at INFO, the level the portal logs at.
# Set here, before any module of the package imports weasyprint.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
