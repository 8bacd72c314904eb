from django.urls import path

from recengine.trust.api import views

app_name = "trust"

urlpatterns = [
    path("blacklist/", views.BlacklistView.as_view(), name="blacklist"),
    path("blacklist/bulk/", views.BlacklistBulkView.as_view(), name="blacklist_bulk"),
    path("blacklist/preview/", views.PreviewView.as_view(), name="preview"),
    path("blacklist/<int:pk>/", views.BlacklistEntryView.as_view(), name="entry"),
    path(
        "blacklist/<int:pk>/lift/<str:action>/",
        views.LiftView.as_view(),
        name="lift",
    ),
    path("reregistrations/", views.CasesView.as_view(), name="cases"),
    path(
        "reregistrations/<int:pk>/decide/",
        views.CaseDecisionView.as_view(),
        name="case_decide",
    ),
    path("credit/", views.CreditView.as_view(), name="credit"),
    path(
        "merchants/<str:merchant>/restriction/",
        views.RestrictionView.as_view(),
        name="restriction",
    ),
    path("violations/", views.ViolationsView.as_view(), name="violations"),
    path("appeals/", views.AppealsView.as_view(), name="appeals"),
    path(
        "appeals/<int:pk>/decide/",
        views.AppealDecisionView.as_view(),
        name="appeal_decide",
    ),
    path("quality/", views.QualityView.as_view(), name="quality"),
    path("policy/", views.PolicyView.as_view(), name="policy"),
]
