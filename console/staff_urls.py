"""Routes of the staff console, under ``/console/`` in the namespace ``console``."""

from django.urls import path

from console.views import (
    apikeys,
    audit_records,
    audits,
    auth,
    catalogue,
    home,
    moderation,
    moderation_aigc,
    tags,
    trust,
    trust_credit,
)

app_name = "console"

urlpatterns = [
    path("", home.home, name="home"),
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
    path("password/", auth.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/done/",
        auth.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("catalogue/anchors/", catalogue.anchors, name="anchors"),
    path("catalogue/merchants/", catalogue.merchants, name="merchants"),
    path("catalogue/products/", catalogue.products, name="products"),
    path("catalogue/rooms/", catalogue.rooms, name="rooms"),
    path("api-keys/", apikeys.key_list, name="apikeys"),
    path("api-keys/issue/", apikeys.key_issue, name="apikey_issue"),
    path("api-keys/<int:pk>/revoke/", apikeys.key_revoke, name="apikey_revoke"),
    path("tags/", tags.vocabulary, name="tags"),
    path("tags/purge/", tags.purge_banned, name="tags_purge"),
    # Moderation (clause 6.1) and AIGC labels (clause 6.4).
    path("moderation/", moderation.workspace, name="moderation"),
    path("moderation/bulk/", moderation.bulk_decide, name="moderation_bulk"),
    path(
        "moderation/review-times.csv",
        moderation.review_times_csv,
        name="moderation_times_csv",
    ),
    path("moderation/<int:pk>/", moderation.case_detail, name="moderation_case"),
    path("moderation/<int:pk>/claim/", moderation.claim, name="moderation_claim"),
    path("moderation/<int:pk>/decide/", moderation.decide, name="moderation_decide"),
    path(
        "moderation/<int:pk>/appeal/",
        moderation.file_appeal,
        name="moderation_file_appeal",
    ),
    path(
        "moderation/appeals/<int:pk>/",
        moderation.appeal_detail,
        name="moderation_appeal",
    ),
    path("aigc/", moderation_aigc.labels, name="aigc"),
    path("aigc/declare/", moderation_aigc.declare, name="aigc_declare"),
    path(
        "aigc/cases/<int:pk>/restrict/", moderation_aigc.restrict, name="aigc_restrict"
    ),
    path("aigc/cases/<int:pk>/close/", moderation_aigc.close, name="aigc_close"),
    path("aigc/figures/", moderation_aigc.add_figure, name="aigc_figure"),
    path(
        "aigc/figures/<int:pk>/consent/",
        moderation_aigc.add_consent,
        name="aigc_consent",
    ),
    path(
        "aigc/impersonation/",
        moderation_aigc.check_impersonation,
        name="aigc_impersonation",
    ),
    path("trust/blacklist/", trust.blacklist, name="trust_blacklist"),
    path("trust/blacklist/add/", trust.blacklist_add, name="trust_add"),
    path("trust/blacklist/bulk/", trust.blacklist_bulk, name="trust_bulk"),
    path("trust/blacklist/<int:pk>/", trust.blacklist_entry, name="trust_entry"),
    path(
        "trust/blacklist/<int:pk>/lift/<str:action>/",
        trust.blacklist_lift,
        name="trust_lift",
    ),
    path("trust/reregistrations/", trust.cases, name="trust_cases"),
    path(
        "trust/reregistrations/detect/", trust.cases_detect, name="trust_cases_detect"
    ),
    path(
        "trust/reregistrations/<int:pk>/decide/",
        trust.case_decide,
        name="trust_case_decide",
    ),
    path("trust/credit/", trust_credit.credit, name="trust_credit"),
    path(
        "trust/credit/import/", trust_credit.credit_import, name="trust_credit_import"
    ),
    path(
        "trust/credit/restriction/",
        trust_credit.restriction,
        name="trust_restriction",
    ),
    path("trust/quality/", trust_credit.quality_compute, name="trust_quality"),
    path("trust/violations/", trust_credit.violations, name="trust_violations"),
    path("trust/appeals/", trust_credit.appeals, name="trust_appeals"),
    path(
        "trust/appeals/<int:pk>/decide/",
        trust_credit.appeal_decide,
        name="trust_appeal_decide",
    ),
]

urlpatterns += [
    path("audits/", audits.runs, name="audit_runs"),
    path("audits/runs/<int:pk>/", audits.run_detail, name="audit_run"),
    path("audits/reports/<int:pk>/", audits.report_detail, name="audit_report"),
    path(
        "audits/reports/<int:pk>/download/<str:file_format>/<str:language>/",
        audits.report_download,
        name="audit_report_download",
    ),
    path("audits/reports/<int:pk>/sign/", audits.report_sign, name="audit_report_sign"),
    path(
        "audits/reports/<int:pk>/finalize/",
        audits.report_finalize,
        name="audit_report_finalize",
    ),
    path(
        "audits/reports/<int:pk>/correct/",
        audits.report_correct,
        name="audit_report_correct",
    ),
    path("audits/trends/", audit_records.trends, name="audit_trends"),
    path("audits/evidence/", audit_records.evidence, name="audit_evidence"),
    path(
        "audits/applicability/",
        audit_records.applicability,
        name="audit_applicability",
    ),
    path("audits/remediation/", audit_records.remediation, name="audit_remediation"),
    path(
        "audits/findings/<int:pk>/remediation/",
        audit_records.remediation_open,
        name="audit_remediation_open",
    ),
    path("audits/schedules/", audit_records.schedules, name="audit_schedules"),
]
