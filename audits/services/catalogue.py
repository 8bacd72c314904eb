"""Write paths of the audits app."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from audits.catalogue.schema import Catalogue, ClauseSpec
from audits.models import Attestation, CatalogueVersion, Check, Clause

logger = logging.getLogger(__name__)


class CatalogueConflict(ValueError):
    """A catalogue version already exists with different content."""


@dataclass(frozen=True)
class LoadResult:
    catalogue: CatalogueVersion
    created: bool


@transaction.atomic
def load_catalogue(catalogue: Catalogue, *, actor, source_name: str) -> LoadResult:
    """Store ``catalogue`` once; loading the same file again changes nothing.

    A version, once loaded, is frozen: reports cite it, so a file that reuses its
    version number with other content is refused rather than merged.
    """
    existing = (
        CatalogueVersion.objects.select_for_update()
        .filter(version=catalogue.version)
        .first()
    )
    if existing is not None and existing.sha256 != catalogue.sha256:
        raise CatalogueConflict(
            f"catalogue version {catalogue.version} is already loaded from a file "
            f"with SHA-256 {existing.sha256}; this file's is {catalogue.sha256}. "
            "Give changed content a new version."
        )
    if existing is not None:
        return LoadResult(existing, created=False)

    stored = CatalogueVersion.objects.create(
        version=catalogue.version,
        standard_code=catalogue.standard_code,
        sha256=catalogue.sha256,
        source_name=source_name,
        loaded_at=timezone.now(),
        loaded_by=actor,
    )
    _store_clauses(stored, catalogue.clauses)

    logger.info(
        "Loaded clause catalogue %s",
        catalogue.version,
        extra={"catalogue_id": stored.pk, "sha256": catalogue.sha256},
    )
    return LoadResult(stored, created=True)


def _store_clauses(stored: CatalogueVersion, specs: list[ClauseSpec]) -> None:
    # Parents come before their children in a valid file, so one pass suffices.
    by_number: dict[str, Clause] = {}
    for position, spec in enumerate(specs):
        clause = Clause.objects.create(
            catalogue=stored,
            number=spec.number,
            parent=by_number.get(spec.parent) if spec.parent else None,
            kind=spec.kind,
            position=position,
            title_zh=spec.title_zh,
            title_en=spec.title_en,
            text_zh=spec.text_zh,
            summary_en=spec.summary_en,
            obligation=spec.obligation,
        )
        by_number[spec.number] = clause
        _store_assessments(stored, clause, spec)


def _store_assessments(
    stored: CatalogueVersion, clause: Clause, spec: ClauseSpec
) -> None:
    Check.objects.bulk_create(
        Check(
            catalogue=stored,
            clause=clause,
            check_id=check.id,
            title_zh=check.title_zh,
            title_en=check.title_en,
            metric=check.metric,
            grouping=check.grouping,
            comparator=check.comparator,
            threshold=check.threshold,
            threshold_high=check.threshold_high,
            window_days=check.window_days,
            min_sample=check.min_sample,
            severity=check.severity,
            evidence=check.evidence,
            params=check.params,
        )
        for check in spec.checks
    )
    Attestation.objects.bulk_create(
        Attestation(
            catalogue=stored,
            clause=clause,
            attestation_id=item.id,
            evidence_zh=item.evidence_zh,
            evidence_en=item.evidence_en,
        )
        for item in spec.attestations
    )
