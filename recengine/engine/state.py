"""What training learns from one window of the event log, for every scene.

``base_scenes`` lays out the items of the catalogue with their fused vectors and
static attributes; ``fit_state`` adds what a window of behaviour teaches: priors,
the CF recall model and the interest model. Training calls it twice, on the first
80 % of the window for the offline evaluation and the pCTR/pCVR holdout, and on
the whole window for the served artifacts.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from recengine.engine import forgetting, priors, readers
from recengine.engine.artifacts import SCENE_KINDS, SceneModel
from recengine.evaluation.selection import default_engine, tuned_selection
from recengine.features.catalogue import Catalogue
from recengine.features.datasets import interaction_matrix
from recengine.features.fusion import ItemVectors
from recengine.features.persona import room_personas
from recengine.learning.interest import InterestEvents, InterestModel

logger = logging.getLogger(__name__)

ITEM_COLUMN = {"live_feed": "room", "product_feed": "product"}
# Validation-tuned selection fits some 15 models; above this many interactions the
# fixed default (EASE, or ALS past its item limit) is chosen instead.
TUNE_MAX_INTERACTIONS = 200_000
SEED = 42


@dataclass
class State:
    scenes: dict[str, SceneModel]
    interest: InterestModel
    interest_viewers: dict[int, int]
    cf_selection: dict[str, dict]


def _keys(values: pd.Series) -> np.ndarray:
    return values.fillna(-1).to_numpy(dtype=np.int64)


def base_scenes(
    vectors: ItemVectors, catalogue: Catalogue, until: dt.datetime
) -> tuple[dict[str, SceneModel], list[str]]:
    """Static per-item arrays of both scenes, aligned with the fused vectors."""
    codes = readers.categories()
    category_index = _category_index()
    room_persona = room_personas(catalogue.rooms)
    frames = {
        "live_feed": readers.rooms(until),
        "product_feed": readers.products(until),
    }
    product_price = dict(
        zip(frames["product_feed"]["id"], frames["product_feed"]["price"], strict=True)
    )

    scenes = {}
    for scene, kind in SCENE_KINDS.items():
        rows = vectors.of_kind(kind)
        ids = vectors.item_ids[rows]
        frame = frames[scene].set_index("id").reindex(ids)
        persona = _persona(scene, ids, catalogue, room_persona)
        price = (
            frame["price"].fillna(0.0).to_numpy(float)
            if scene == "product_feed"
            else _room_prices(ids, catalogue, product_price)
        )
        zeros = np.zeros(len(ids))
        scenes[scene] = SceneModel(
            kind=kind,
            item_ids=ids.astype(np.int64),
            external_ids=frame["external_id"].fillna("").astype(str).tolist(),
            anchor=_keys(frame["anchor"])
            if "anchor" in frame
            else np.full(len(ids), -1),
            merchant=_keys(frame["merchant"]),
            category=np.array(
                [
                    category_index.get(int(c), -1) if c == c else -1
                    for c in frame["category"]
                ],
                dtype=np.int64,
            ),
            created_at=_seconds(frame["created_at"]),
            price=price,
            vectors=vectors.vectors[rows],
            block_slices=dict(vectors.block_slices),
            persona=persona,
            exposures=zeros,
            popularity=zeros,
            hourly=np.zeros((24, len(ids)), dtype=np.float32),
            quality=zeros + 0.5,
            satisfaction=zeros + 0.5,
            merchant_health=zeros + 0.5,
            ctr_prior=zeros,
            cvr_prior=zeros,
        )
    return scenes, codes["code"].astype(str).tolist()


def _seconds(values: pd.Series) -> np.ndarray:
    moments = pd.to_datetime(values, utc=True)
    return (moments - pd.Timestamp(0, tz="UTC")).dt.total_seconds().fillna(0).to_numpy()


def _persona(scene, ids, catalogue: Catalogue, room_persona: np.ndarray) -> np.ndarray:
    rooms = pd.Index(catalogue.rooms.ids)
    if scene == "live_feed":
        rows = rooms.get_indexer(ids)
        out = np.full((len(ids), 3), 0.5, dtype=np.float32)
        out[rows >= 0] = room_persona[rows[rows >= 0]]
        return out
    # A product takes the mean persona of the rooms that list it.
    total = np.zeros((len(ids), 3))
    count = np.zeros(len(ids))
    position = pd.Index(ids)
    for room, listed in enumerate(catalogue.rooms.products):
        at = position.get_indexer(listed)
        at = at[at >= 0]
        total[at] += room_persona[room]
        count[at] += 1
    out = np.full((len(ids), 3), 0.5)
    seen = count > 0
    out[seen] = total[seen] / count[seen, None]
    return out.astype(np.float32)


def _room_prices(ids, catalogue: Catalogue, price: dict) -> np.ndarray:
    listed = dict(
        zip(catalogue.rooms.ids.tolist(), catalogue.rooms.products, strict=True)
    )
    out = np.zeros(len(ids))
    for i, room in enumerate(ids.tolist()):
        values = [
            price[p] for p in np.asarray(listed.get(room, [])).tolist() if p in price
        ]
        out[i] = float(np.mean(values)) if values else 0.0
    return out


def fit_state(
    base: dict[str, SceneModel],
    categories: list[str],
    start: dt.datetime,
    end: dt.datetime,
    *,
    tune: bool = True,
) -> State:
    scenes, selection = {}, {}
    for scene, model in base.items():
        scenes[scene], selection[scene] = _fit_scene(scene, model, start, end, tune)
    interest, viewers = fit_interest(scenes, len(categories), start, end)
    return State(scenes, interest, viewers, selection)


def _fit_scene(scene, model, start, end, tune) -> tuple[SceneModel, dict]:
    column = ITEM_COLUMN[scene]
    outcomes = priors.Outcomes.from_frame(
        readers.item_outcomes(start, end, column), model.item_ids
    )
    daily = readers.daily_interactions(start, end, column)
    ctr = priors.smoothed_rate(outcomes.clicks, outcomes.exposures)
    fitted = dataclasses.replace(
        model,
        exposures=outcomes.exposures,
        popularity=priors.popularity(daily, model.item_ids, end.timestamp()),
        hourly=priors.hourly(
            readers.hourly_engagement(start, end, column), model.item_ids
        ),
        quality=priors.quality(ctr, model.persona),
        satisfaction=priors.satisfaction(outcomes),
        merchant_health=priors.merchant_health(outcomes, model.merchant),
        ctr_prior=ctr,
        cvr_prior=priors.smoothed_rate(outcomes.orders, outcomes.exposures),
    )
    chosen = _fit_cf(fitted, start, end, column, tune)
    return fitted, chosen


def scene_matrix(
    model: SceneModel, start: dt.datetime, end: dt.datetime, column: str
) -> tuple[sp.csr_matrix, np.ndarray]:
    """Viewer x scene-item interaction strengths, columns in the scene's order."""
    found = interaction_matrix(start, end, item=column)
    columns = pd.Index(model.item_ids).get_indexer(found.item_ids)
    coo = found.matrix.tocoo()
    keep = columns[coo.col] >= 0
    matrix = sp.csr_matrix(
        (coo.data[keep], (coo.row[keep], columns[coo.col[keep]])),
        shape=(len(found.viewer_ids), len(model)),
        dtype=np.float32,
    )
    return matrix, found.viewer_ids


def _fit_cf(model: SceneModel, start, end, column, tune) -> dict:
    matrix, viewers = scene_matrix(model, start, end, column)
    # Tags viewers deleted are not learned back from their history (6.3.2).
    suppressions = readers.tag_suppressions(start)
    if not suppressions.empty:
        item_tag = forgetting.tags_by_item(column).reindex(model.item_ids)
        matrix = forgetting.forget_pairs(
            matrix, viewers, item_tag.fillna(-1).to_numpy(np.int64), suppressions
        )
    if matrix.nnz == 0 or matrix.shape[0] < 3:
        return {"model": None, "reason": "too few interactions"}
    chosen, how, scores = default_engine(len(model), random_state=SEED), "default", {}
    if tune and matrix.nnz <= TUNE_MAX_INTERACTIONS:
        try:
            selection = tuned_selection(matrix, k=10, seed=SEED)
            chosen, how, scores = (
                selection.models["engine"],
                "validation",
                selection.validation_ndcg,
            )
        except (ValueError, IndexError):
            logger.warning("CF tuning failed; using the default engine", exc_info=True)
    model.cf = chosen.fit(matrix)
    model.cf_name = type(chosen).__name__
    model.cf_viewers = {int(pk): row for row, pk in enumerate(viewers)}
    model.cf_items = np.arange(len(model))
    return {"model": model.cf_name, "chosen_by": how, "validation_ndcg": scores}


def _content(scenes: dict[str, SceneModel], n_categories: int):
    """Interest content rows: rooms, products, then short videos."""
    videos = readers.video_links()
    rooms, products = scenes["live_feed"], scenes["product_feed"]
    products.interest_offset = len(rooms)
    vectors = np.vstack([rooms.vectors, products.vectors])
    categories = np.concatenate([rooms.category, products.category])
    categories = np.where(categories < 0, n_categories, categories)
    video_vectors = _video_vectors(videos, products, vectors, categories)
    video_categories = videos["category"].map(_category_index())
    content = np.vstack([vectors, video_vectors]).astype(np.float32)
    all_categories = np.concatenate(
        [categories, video_categories.fillna(n_categories).to_numpy(np.int64)]
    )
    return content, all_categories, videos["id"].to_numpy(np.int64)


def _category_index() -> dict[int, int]:
    codes = readers.categories()
    return {int(pk): i for i, pk in enumerate(codes["id"])}


def _video_vectors(videos, products: SceneModel, vectors, categories) -> np.ndarray:
    """Cross-domain (5.3.2): a video stands for its product, else its category."""
    dim = vectors.shape[1]
    out = np.zeros((len(videos), dim), dtype=np.float32)
    centroids = {}
    for category in np.unique(categories):
        mean = vectors[categories == category].mean(axis=0)
        norm = np.linalg.norm(mean)
        centroids[int(category)] = mean / norm if norm > 0 else mean
    lookup = _category_index()
    for i, (product, category) in enumerate(
        zip(videos["product"], videos["category"], strict=True)
    ):
        row = products.position.get(int(product)) if product == product else None
        if row is not None:
            out[i] = products.vectors[row]
        elif lookup.get(int(category)) in centroids:
            out[i] = centroids[lookup[int(category)]]
    return out


def fit_interest(
    scenes: dict[str, SceneModel], n_categories: int, start, end
) -> tuple[InterestModel, dict[int, int]]:
    """The interest model from per-day aggregates, each day weighted by its age."""
    content, categories, video_ids = _content(scenes, n_categories)
    suppressions = readers.tag_suppressions(start)
    parts = []
    for column, ids, offset in (
        ("room", scenes["live_feed"].item_ids, 0),
        (
            "product",
            scenes["product_feed"].item_ids,
            scenes["product_feed"].interest_offset,
        ),
        (
            "short_video",
            video_ids,
            len(scenes["live_feed"]) + len(scenes["product_feed"]),
        ),
    ):
        daily = readers.daily_interactions(start, end, column)
        if not suppressions.empty:
            daily = forgetting.exclude_forgotten(
                daily, forgetting.tags_by_item(column), suppressions
            )
        rows = pd.Index(ids).get_indexer(daily["item"].to_numpy())
        daily = daily[rows >= 0].assign(row=rows[rows >= 0] + offset)
        parts.append(daily.assign(video=column == "short_video"))
    events = pd.concat(parts, ignore_index=True)
    viewers, viewer_rows = np.unique(
        events["viewer"].to_numpy(np.int64), return_inverse=True
    )
    model = InterestModel().fit(
        InterestEvents(
            viewer=viewer_rows,
            row=events["row"].to_numpy(np.int64),
            kind=events["kind"].to_numpy(np.int64),
            timestamp=events["day"].to_numpy(float),
            is_short_video=events["video"].to_numpy(bool),
            count=events["events"].to_numpy(float),
        ),
        content,
        categories,
        n_viewers=len(viewers),
        n_categories=n_categories + 1,
        now=end.timestamp(),
    )
    logger.info("interest model fitted", extra={"viewers": len(viewers)})
    return model, {int(pk): row for row, pk in enumerate(viewers)}
