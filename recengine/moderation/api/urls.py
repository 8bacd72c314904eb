"""Routes of ``/api/v1/moderation/`` (``moderation_patterns``) and ``/api/v1/aigc/``
(``aigc_patterns``)."""

from django.urls import path

from recengine.moderation.api import views

moderation_patterns = (
    [
        path("queues/", views.QueueSummary.as_view(), name="queues"),
        path("cases/", views.CaseList.as_view(), name="cases"),
        path("cases/bulk-decide/", views.BulkDecide.as_view(), name="bulk_decide"),
        path("cases/<int:pk>/", views.CaseDetail.as_view(), name="case"),
        path("cases/<int:pk>/claim/", views.ClaimCase.as_view(), name="claim"),
        path("cases/<int:pk>/decide/", views.DecideCase.as_view(), name="decide"),
        path("cases/<int:pk>/appeals/", views.FileAppeal.as_view(), name="appeal"),
        path(
            "appeals/<int:pk>/decide/",
            views.DecideAppeal.as_view(),
            name="decide_appeal",
        ),
    ],
    "moderation-api",
)

aigc_patterns = (
    [
        path("labels/", views.Labels.as_view(), name="labels"),
        path("verify/", views.Verify.as_view(), name="verify"),
        path("cases/", views.AigcCases.as_view(), name="cases"),
        path("cases/<int:pk>/restrict/", views.RestrictCase.as_view(), name="restrict"),
        path("cases/<int:pk>/close/", views.CloseCase.as_view(), name="close"),
        path("figures/", views.Figures.as_view(), name="figures"),
        path("figures/<int:pk>/consents/", views.Consents.as_view(), name="consents"),
        path(
            "impersonation-check/",
            views.ImpersonationCheck.as_view(),
            name="impersonation_check",
        ),
    ],
    "aigc-api",
)
