"""The identity page and the invitations under an organization's settings, an invitation's link, and the single sign-on pages."""

from django.urls import path

from . import invitation_views, views

app_name = "identity"

PAGE = "orgs/<slug:slug>/settings/identity/"
INVITATIONS = "orgs/<slug:slug>/settings/members/invitations/"

urlpatterns = [
    path(PAGE, views.page, name="page"),
    path(PAGE + "domains/", views.domain_add, name="domain-add"),
    path(PAGE + "domains/<int:domain_id>/verify/", views.domain_verify, name="domain-verify"),
    path(PAGE + "domains/<int:domain_id>/remove/", views.domain_remove, name="domain-remove"),
    path(PAGE + "sso/", views.sso_save, name="sso-save"),
    path(PAGE + "sso/enforce/", views.sso_enforce, name="sso-enforce"),
    path(PAGE + "sso/break-glass/", views.break_glass, name="break-glass"),
    path(PAGE + "scim-tokens/", views.token_create, name="token-create"),
    path(PAGE + "scim-tokens/<int:token_id>/revoke/", views.token_revoke, name="token-revoke"),
    path(PAGE + "groups/<int:group_id>/role/", views.group_role, name="group-role"),
    path(INVITATIONS, invitation_views.invite, name="invite"),
    path(INVITATIONS + "<int:invitation_id>/resend/", invitation_views.invitation_resend, name="invitation-resend"),
    path(INVITATIONS + "<int:invitation_id>/revoke/", invitation_views.invitation_revoke, name="invitation-revoke"),
    path("invitations/<str:token>/", invitation_views.invitation, name="invitation"),
    path("accounts/sso/", views.sso_start, name="sso"),
    path("accounts/sso/oidc/<str:public_id>/callback/", views.oidc_callback, name="oidc-callback"),
    path("accounts/sso/saml/<str:public_id>/acs/", views.saml_acs, name="saml-acs"),
    path("accounts/sso/saml/<str:public_id>/metadata/", views.saml_metadata, name="saml-metadata"),
]
