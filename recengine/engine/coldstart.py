"""Items listed after the model was trained (clause 5.3.2, cold start).

A model knows the rooms and products of its training window. A room or product
listed later is in the catalogue the serving process reloads every few seconds,
but has no learned vector or priors until the next training. Until then it is
served as an average member of its category: the normalised mean vector of the
scene's items in that category (of the whole scene when the category is new or
unknown), the category's mean quality, satisfaction, merchant health and rates,
its anchor's measured persona when the model has one, no exposures and no
popularity. Its real creation time makes it fresh, so it enters the freshness
channel and the exploration slots for new anchors and merchants, whose Thompson
sampling starts it from an even prior; relevance to a viewer comes through its
category's direction. The approximate vector index, built for the trained items,
does not contain it: those channels find it instead.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from recengine.engine.artifacts import SceneModel
from recengine.serving.catalogue_index import CatalogueIndex

PRIORS = ("quality", "satisfaction", "merchant_health", "ctr_prior", "cvr_prior")


@dataclasses.dataclass(frozen=True)
class NewItems:
    """The catalogue's items of one kind that the scene does not hold."""

    pk: np.ndarray
    external: list[str]
    anchor: np.ndarray
    merchant: np.ndarray
    category: np.ndarray  # index into the model's category codes, -1
    created_at: np.ndarray
    price: np.ndarray | None  # products only


def new_items(
    scene: SceneModel, catalogue: CatalogueIndex, codes: list[str]
) -> NewItems | None:
    """What the catalogue lists that ``scene`` was not trained on, if anything."""
    rooms = scene.kind == "live_room"
    pks = catalogue.room_pk if rooms else catalogue.product_pk
    created = catalogue.room_created if rooms else catalogue.product_created
    if created is None or len(pks) == 0:
        return None
    unseen = np.flatnonzero(~np.isin(pks, scene.item_ids))
    if len(unseen) == 0:
        return None
    index = {code: i for i, code in enumerate(codes)}
    category_codes = catalogue.room_category if rooms else catalogue.product_category
    merchants = catalogue.room_merchant_pk if rooms else catalogue.product_merchant_pk
    external = catalogue.room_external if rooms else catalogue.product_external
    return NewItems(
        pk=pks[unseen],
        external=[external[i] for i in unseen],
        anchor=(
            catalogue.room_anchor_pk[unseen]
            if rooms
            else np.full(len(unseen), -1, dtype=np.int64)
        ),
        merchant=np.asarray(merchants[unseen], dtype=np.int64),
        category=np.array(
            [index.get(category_codes[i], -1) for i in unseen], dtype=np.int64
        ),
        created_at=created[unseen],
        price=None if rooms else catalogue.product_price[unseen],
    )


def extend(
    scene: SceneModel,
    items: NewItems,
    personas: dict[int, tuple[float, float, float]],
) -> SceneModel:
    """``scene`` with ``items`` appended as average members of their categories.

    The trained items keep their indices, so indices into the original scene
    (CF columns, the vector index) stay valid for them.
    """
    n = len(items.pk)
    means = _category_means(scene)
    known = (items.category >= 0) & np.isin(items.category, list(means))

    def per_category(name: str, overall: np.ndarray) -> np.ndarray:
        values = np.tile(overall, (n,) + (1,) * (overall.ndim))
        for row in np.flatnonzero(known):
            values[row] = means[int(items.category[row])][name]
        return values

    overall = _summary(scene, np.ones(len(scene), dtype=bool))
    vectors = per_category("vector", overall["vector"]).astype(np.float32)
    persona = per_category("persona", overall["persona"])
    for row, anchor in enumerate(items.anchor):
        if int(anchor) in personas:
            persona[row] = personas[int(anchor)]
    price = (
        items.price
        if items.price is not None
        else per_category("price", overall["price"])
    )
    grown = {
        "item_ids": np.concatenate([scene.item_ids, items.pk]),
        "external_ids": [*scene.external_ids, *items.external],
        "anchor": np.concatenate([scene.anchor, items.anchor]),
        "merchant": np.concatenate([scene.merchant, items.merchant]),
        "category": np.concatenate([scene.category, items.category]),
        "created_at": np.concatenate([scene.created_at, items.created_at]),
        "price": np.concatenate([scene.price, price]),
        "vectors": np.concatenate([scene.vectors, vectors]),
        "persona": np.concatenate([scene.persona, persona]),
        "exposures": np.concatenate([scene.exposures, np.zeros(n)]),
        "popularity": np.concatenate([scene.popularity, np.zeros(n)]),
        "hourly": np.concatenate(
            [scene.hourly, np.zeros((scene.hourly.shape[0], n))], axis=1
        ),
    }
    for name in PRIORS:
        grown[name] = np.concatenate(
            [getattr(scene, name), per_category(name, overall[name])]
        )
    extended = dataclasses.replace(scene, **grown)
    index = scene.vector_index()
    if index is not None:
        extended.__dict__["_vector_index"] = index
    return extended


def _category_means(scene: SceneModel) -> dict[int, dict[str, np.ndarray]]:
    cached = scene.__dict__.get("_category_means")
    if cached is None:
        cached = {
            int(category): _summary(scene, scene.category == category)
            for category in np.unique(scene.category[scene.category >= 0])
        }
        scene.__dict__["_category_means"] = cached
    return cached


def _summary(scene: SceneModel, members: np.ndarray) -> dict[str, np.ndarray]:
    if not members.any():
        members = np.ones(len(scene), dtype=bool)
    vector = scene.vectors[members].mean(axis=0)
    norm = float(np.linalg.norm(vector))
    summary = {
        "vector": vector / norm if norm > 0 else vector,
        "persona": scene.persona[members].mean(axis=0),
        "price": np.asarray(scene.price[members].mean()),
    }
    for name in PRIORS:
        summary[name] = np.asarray(getattr(scene, name)[members].mean())
    return summary
