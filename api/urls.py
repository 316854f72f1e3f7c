from django.urls import path
from rest_framework.routers import SimpleRouter

from api import auth_views, export, views
from clinic.api import views as clinic_views
from journal.api import views as journal_views
from notify.api import views as notify_views
from outcomes.api import views as outcomes_views
from triage.api import views as triage_views

router = SimpleRouter(trailing_slash=True)
router.register("logs", views.PainLogViewSet, basename="painlog")
router.register("treatments", views.TreatmentViewSet, basename="treatment")
router.register("alerts", triage_views.AlertViewSet, basename="alert")
router.register("devices", notify_views.DeviceViewSet, basename="device")

urlpatterns = [
    path("auth/register/", auth_views.RegisterView.as_view(), name="auth-register"),
    path("auth/login/", auth_views.LoginView.as_view(), name="auth-login"),
    path("auth/logout/", auth_views.LogoutView.as_view(), name="auth-logout"),
    path("auth/logout-all/", auth_views.LogoutAllView.as_view(), name="auth-logout-all"),
    path("auth/verify-email/", auth_views.VerifyEmailView.as_view(), name="auth-verify-email"),
    path(
        "auth/verify-email/resend/",
        auth_views.VerifyEmailResendView.as_view(),
        name="auth-verify-email-resend",
    ),
    path(
        "auth/password/change/",
        auth_views.PasswordChangeView.as_view(),
        name="auth-password-change",
    ),
    path(
        "auth/password/reset/", auth_views.PasswordResetView.as_view(), name="auth-password-reset"
    ),
    path(
        "auth/password/reset/confirm/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="auth-password-reset-confirm",
    ),
    path("me/", views.MeView.as_view(), name="me"),
    path("me/export/", export.ExportView.as_view(), name="me-export"),
    path("sites/", journal_views.SiteListView.as_view(), name="sites"),
    path("logs/sync/", views.PainLogSyncView.as_view(), name="painlog-sync"),
    path("trends/", journal_views.TrendsView.as_view(), name="trends"),
    path("triage/", triage_views.TriageView.as_view(), name="triage"),
    path("insights/", outcomes_views.InsightsView.as_view(), name="insights"),
    path("questionnaires/", outcomes_views.QuestionnaireListView.as_view(), name="questionnaires"),
    path(
        "questionnaires/due/",
        outcomes_views.QuestionnaireDueView.as_view(),
        name="questionnaires-due",
    ),
    path(
        "questionnaires/responses/",
        outcomes_views.QuestionnaireResponseView.as_view(),
        name="questionnaire-responses",
    ),
    path("care-team/", clinic_views.CareTeamView.as_view(), name="care-team"),
    path(
        "care-team/<int:id>/",
        clinic_views.CareTeamMemberView.as_view(),
        name="care-team-member",
    ),
    *router.urls,
]
