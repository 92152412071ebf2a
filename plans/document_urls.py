# Routes for the printed documents (PDF, DOCX); see plans/documents/.
urlpatterns: list = []
