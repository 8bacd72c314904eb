"""Every state change of trust & safety, one function per action."""

from recengine.trust.services.blacklist import (
    NewEntry,
    TrustError,
    add_blacklist_entry,
    approve_lift,
    bulk_add_blacklist,
    reject_lift,
    request_lift,
)
from recengine.trust.services.merchants import (
    decide_appeal,
    file_appeal,
    import_credit,
    record_violation,
    set_restriction,
)
from recengine.trust.services.policy import refresh_policy
from recengine.trust.services.quality import compute_quality_scores
from recengine.trust.services.reregistration import decide_case, detect_reregistrations

__all__ = [
    "NewEntry",
    "TrustError",
    "add_blacklist_entry",
    "approve_lift",
    "bulk_add_blacklist",
    "compute_quality_scores",
    "decide_appeal",
    "decide_case",
    "detect_reregistrations",
    "file_appeal",
    "import_credit",
    "record_violation",
    "refresh_policy",
    "reject_lift",
    "request_lift",
    "set_restriction",
]
