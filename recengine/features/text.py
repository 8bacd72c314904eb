"""Text features: Chinese tokens, TF-IDF and a truncated SVD (latent semantic space).

Titles, product descriptions, transcripts of the anchor's talk and the danmaku of a
room are documents of one vocabulary, so a live room and the products it sells land
near each other. Personal data a viewer may have typed into a comment is blanked
before tokenising (``privacy.redact``), so no phone number becomes a term.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Sequence
from typing import Self

import jieba
import numpy as np
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer

from recengine.features.privacy import redact

logger = logging.getLogger(__name__)
jieba.setLogLevel(logging.WARNING)

# Function words and chat particles that say nothing about a product or a room.
_STOP_LINES = (
    "的 了 是 在 和 与 也 就 都 而 及 着 或 一个 这 那 这个 那个 这款 我 你 他 她 它",
    "我们 你们 他们 大家 吗 呢 吧 啊 呀 哦 嗯 呃 哈 啦 么 嘛 有 没有 很 还 又 把 被 让",
    "给 对 从 到 说 要 会 能 可以 一下 一 上 下 中 里 个 只 再 真的 就是 然后",
)
STOP_WORDS = frozenset(word for line in _STOP_LINES for word in line.split())
NUMBER_TOKEN = "<数>"  # noqa: S105 - a placeholder token, not a secret
_FIGURE = re.compile(r"\d+(?:\.\d+)?")
_WORD = re.compile(r"\w", re.UNICODE)
_LOCK = threading.Lock()


def tokenize(text: str) -> list[str]:
    """Lower-cased jieba words without stop words and punctuation. Figures become
    one placeholder (``5%`` -> ``<数>%``): that a product states a figure, and in
    which unit, matters more than which figure it is."""
    tokens = []
    for word in jieba.lcut(redact(text).lower()):
        word = word.strip()
        if not word or word in STOP_WORDS or not _WORD.search(word):
            continue
        tokens.append(_FIGURE.sub(NUMBER_TOKEN, word))
    return tokens


def warm_up() -> None:
    """Load jieba's dictionary once, under a lock, before threads tokenise."""
    with _LOCK:
        jieba.initialize()


class TextFeaturizer:
    """TF-IDF over jieba tokens reduced by TruncatedSVD to ``n_components`` dims.

    The output always has ``n_components`` columns (zero-padded when the corpus
    has fewer terms), so that a fused vector keeps a fixed layout.
    """

    def __init__(
        self,
        n_components: int = 64,
        *,
        max_features: int = 50_000,
        min_df: int = 2,
        random_state: int = 0,
    ) -> None:
        self.n_components = n_components
        self.max_features = max_features
        self.min_df = min_df
        self.random_state = random_state

    def fit(self, documents: Sequence[str]) -> Self:
        self.fit_transform(documents)
        return self

    def fit_transform(self, documents: Sequence[str]) -> np.ndarray:
        if len(documents) < 2:
            raise ValueError("Text features need at least two documents.")
        warm_up()
        # Rare terms are typos and one-off names; on a tiny corpus keep them all.
        min_df = self.min_df if len(documents) >= 50 else 1
        self.vectorizer_ = TfidfVectorizer(
            tokenizer=tokenize,
            token_pattern=None,
            lowercase=False,
            sublinear_tf=True,
            min_df=min_df,
            max_features=self.max_features,
        )
        tfidf = self.vectorizer_.fit_transform(documents)
        rank = min(self.n_components, tfidf.shape[1] - 1, tfidf.shape[0] - 1)
        self.svd_ = TruncatedSVD(max(rank, 1), random_state=self.random_state)
        reduced = self.svd_.fit_transform(tfidf)
        logger.debug(
            "text features fitted",
            extra={"documents": len(documents), "terms": tfidf.shape[1]},
        )
        return self._pad(reduced)

    def transform(self, documents: Sequence[str]) -> np.ndarray:
        return self._pad(self.svd_.transform(self.vectorizer_.transform(documents)))

    def _pad(self, reduced: np.ndarray) -> np.ndarray:
        out = np.zeros((reduced.shape[0], self.n_components), dtype=np.float32)
        out[:, : reduced.shape[1]] = reduced
        return out

    @property
    def explained_variance_(self) -> float:
        return float(self.svd_.explained_variance_ratio_.sum())
