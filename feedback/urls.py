from django.urls import path

from orgs.kinds import PROFILES

from . import views

app_name = "feedback"

urlpatterns = [
    # Each kind's rating page (chat, Workbench), named after it.
    *(
        path(f"<slug:slug>/{page}/", views.rating_page, {"page": page}, name=page)
        for page in (profile.rating_page for profile in PROFILES.values())
    ),
]
