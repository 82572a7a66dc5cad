from django.urls import path

from . import views

app_name = "feedback"

urlpatterns = [
    path("<slug:slug>/chat/", views.chat, name="chat"),
    path("<slug:slug>/workbench/", views.workbench, name="workbench"),
]
