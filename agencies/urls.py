from django.urls import path

from . import views

urlpatterns = [
    path("kich-hoat/<uidb64>/<token>/", views.ActivateView.as_view(), name="activate"),
]
