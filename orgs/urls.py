from django.urls import path

from . import views
from .kinds import PROFILES

app_name = "orgs"

urlpatterns = [
    path("switch/", views.switch, name="switch"),
    path("<slug:slug>/", views.overview, name="overview"),
    # Each kind's feedback settings page (Data Management, Privacy), named after it.
    *(
        route
        for page in (profile.settings_page for profile in PROFILES.values())
        for route in (
            path(f"<slug:slug>/settings/{page}/", views.feedback_settings, {"page": page}, name=page),
            path(
                f"<slug:slug>/settings/{page}/confirm-off/", views.feedback_settings_confirm, {"page": page},
                name=f"{page}-confirm",
            ),
            path(
                f"<slug:slug>/settings/{page}/model-training/", views.model_training, {"page": page},
                name=f"{page}-model-training",
            ),
            path(
                f"<slug:slug>/settings/{page}/model-training/confirm-on/", views.model_training_confirm,
                {"page": page}, name=f"{page}-model-training-confirm",
            ),
        )
    ),
    path("<slug:slug>/settings/members/", views.members, name="members"),
    path("<slug:slug>/settings/members/<int:member_id>/role/", views.member_role, name="member-role"),
    path("<slug:slug>/settings/members/<int:member_id>/remove/", views.member_remove, name="member-remove"),
    path("<slug:slug>/settings/members/<int:member_id>/transfer/", views.member_transfer, name="member-transfer"),
    path("<slug:slug>/settings/audit-log/", views.audit_log, name="audit-log"),
    path("<slug:slug>/settings/audit-log/export.csv", views.audit_log_csv, name="audit-log-csv"),
    path("<slug:slug>/settings/audit-log/export.jsonl", views.audit_log_export, name="audit-log-export"),
]
