"""Background screening: rows the platform ingested since the last run are screened
every few minutes (beat schedule ``moderation: screen new content``).

The task takes no arguments and is idempotent: unchanged content is never screened
twice, a label that already verified is not verified again.

A row ingested between two runs is not exposed before its first screen: the policy
snapshot carries the screened items as an allow-list (``policy_source``), so new
content waits at most one interval before it can be recommended.
"""

from __future__ import annotations

import logging

from celery import shared_task

from recengine.models import Product
from recengine.moderation import impersonation, labelling
from recengine.moderation.models import AigcCase, AigcLabel
from recengine.moderation.services import screen_catalogue

logger = logging.getLogger(__name__)


def _pictures(*, all_pictures: bool) -> list[Product]:
    with_image = Product.objects.exclude(image="").order_by("pk")
    if all_pictures:
        return list(with_image)
    # Pictures with a current label or a case were looked at already.
    seen = set(
        AigcLabel.objects.filter(active=True)
        .exclude(product=None)
        .values_list("product_id", flat=True)
    )
    seen |= set(
        AigcCase.objects.exclude(product=None).values_list("product_id", flat=True)
    )
    return list(with_image.exclude(pk__in=seen))


def run_screen(*, all_pictures: bool = False) -> list[str]:
    """Label declared AI rooms, screen new or changed content, verify pictures (new
    ones, or all of them to catch pictures swapped under their label) and check AI
    personas for impersonation."""
    # Labels first: the screen routes labelled content to the AIGC queue.
    declared = labelling.label_catalogue_declarations(actor=None)
    report = screen_catalogue(actor=None, reason="periodic machine screen")
    verdicts: dict[str, int] = {}
    cases = labelling.verify_product_images(
        actor=None, products=_pictures(all_pictures=all_pictures)
    )
    for case in cases:
        verdicts[case.verdict] = verdicts.get(case.verdict, 0) + 1
    impostors = impersonation.check_impersonation(actor=None)
    lines = [
        f"labelled {len(declared)} declared AI rooms",
        f"screened {report.screened} elements ({report.unchanged} unchanged)",
        "routed: " + ", ".join(f"{q} {n}" for q, n in sorted(report.routed.items())),
        "AIGC verdicts: "
        + (", ".join(f"{v} {n}" for v, n in sorted(verdicts.items())) or "none"),
        f"impersonation cases: {len(impostors)}",
    ]
    logger.info("screen run", extra={"screened": report.screened})
    return lines


@shared_task(name="moderation.screen_new_content")
def screen_new_content() -> list[str]:
    return run_screen()
