# Routes of the compliance dashboard (/dashboard/).
app_name = "dashboard"
urlpatterns: list = []
