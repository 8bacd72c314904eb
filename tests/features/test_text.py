"""Chinese tokens and the latent text space."""

from __future__ import annotations

import numpy as np
import pytest

from recengine.features.text import NUMBER_TOKEN, TextFeaturizer, tokenize

SKINCARE = [
    "保湿面霜 烟酰胺精华 敏感肌可用",
    "玻尿酸精华液 补水保湿 面霜搭配",
    "烟酰胺面霜 提亮 保湿精华",
    "敏感肌精华 温和保湿 玻尿酸",
]
ELECTRONICS = [
    "蓝牙耳机 降噪 续航30小时",
    "充电宝 快充 电池容量20000毫安",
    "降噪蓝牙耳机 快充 续航",
    "智能手表 电池 续航 快充",
]


def test_tokens_drop_stop_words_and_punctuation_and_merge_figures():
    tokens = tokenize("这款面霜的成分是烟酰胺，浓度5%！")

    assert "面霜" in tokens and "烟酰胺" in tokens
    assert "的" not in tokens and "，" not in tokens and "！" not in tokens
    assert f"{NUMBER_TOKEN}%" in tokens


def test_a_phone_number_in_a_comment_never_becomes_a_token():
    tokens = tokenize("加我微信 13912345678 或 li@example.com 私聊")

    assert not any(NUMBER_TOKEN in token or "@" in token for token in tokens)
    assert "微信" in tokens and "私聊" in tokens


def test_output_width_is_fixed_even_for_a_tiny_corpus():
    features = TextFeaturizer(n_components=64).fit_transform(SKINCARE[:3])

    assert features.shape == (3, 64)
    assert features.dtype == np.float32
    assert not features[:, 10:].any()


def test_documents_of_one_vertical_are_closer_than_across_verticals():
    featurizer = TextFeaturizer(n_components=4, random_state=0)
    features = featurizer.fit_transform(SKINCARE + ELECTRONICS)
    unit = features / np.linalg.norm(features, axis=1, keepdims=True)
    similarity = unit @ unit.T
    vertical = np.array([0] * len(SKINCARE) + [1] * len(ELECTRONICS))
    same = vertical[:, None] == vertical[None]
    across = ~same
    np.fill_diagonal(same, False)

    assert similarity[same].mean() > similarity[across].mean() + 0.3


def test_transform_is_deterministic_and_matches_fit():
    corpus = SKINCARE + ELECTRONICS
    first = TextFeaturizer(n_components=4, random_state=3).fit(corpus)
    second = TextFeaturizer(n_components=4, random_state=3).fit(corpus)

    np.testing.assert_allclose(first.transform(corpus), second.transform(corpus))
    assert 0.0 < first.explained_variance_ <= 1.0


def test_fitting_needs_two_documents():
    with pytest.raises(ValueError, match="two documents"):
        TextFeaturizer().fit(["只有一篇"])
