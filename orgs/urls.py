from django.urls import path

from . import invitation_views, views

app_name = "orgs"

urlpatterns = [
    path("switch/", views.switch, name="switch"),
    path("<slug:slug>/", views.overview, name="overview"),
    path("<slug:slug>/settings/data-management/", views.data_management, name="data-management"),
    path("<slug:slug>/settings/data-management/confirm-off/", views.data_management_confirm, name="data-management-confirm"),
    path("<slug:slug>/settings/privacy/", views.privacy, name="privacy"),
    path("<slug:slug>/settings/privacy/confirm-off/", views.privacy_confirm, name="privacy-confirm"),
    path("<slug:slug>/settings/members/", views.members, name="members"),
    path("<slug:slug>/settings/members/<int:member_id>/role/", views.member_role, name="member-role"),
    path("<slug:slug>/settings/members/<int:member_id>/remove/", views.member_remove, name="member-remove"),
    path("<slug:slug>/settings/members/<int:member_id>/transfer/", views.member_transfer, name="member-transfer"),
    path("<slug:slug>/settings/members/invitations/<int:invitation_id>/resend/", invitation_views.invitation_resend,
         name="invitation-resend"),
    path("<slug:slug>/settings/members/invitations/<int:invitation_id>/revoke/", invitation_views.invitation_revoke,
         name="invitation-revoke"),
    path("<slug:slug>/settings/audit-log/", views.audit_log, name="audit-log"),
    path("<slug:slug>/settings/audit-log/export.csv", views.audit_log_csv, name="audit-log-csv"),
]
