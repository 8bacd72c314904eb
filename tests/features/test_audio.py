"""Audio statistics of broadcasts, averaged per room and standardised."""

from __future__ import annotations

import numpy as np
import pytest

from recengine.features.audio import AudioFeaturizer, session_means

ROOMS = [
    [{"speech_rate_cpm": 200.0, "pause_ratio": 0.2}, {"speech_rate_cpm": 220.0}],
    [{"speech_rate_cpm": 340.0, "pause_ratio": 0.1, "codec": "aac"}],
    [{"speech_rate_cpm": 260.0, "pause_ratio": 0.15, "rare": 1.0}],
    [],
]


def test_keys_are_the_numeric_statistics_most_rooms_report():
    featurizer = AudioFeaturizer().fit(ROOMS)

    assert featurizer.keys_ == ["pause_ratio", "speech_rate_cpm"]


def test_a_room_is_the_mean_of_its_broadcasts():
    means = session_means(ROOMS[0], ["speech_rate_cpm", "pause_ratio", "loudness"])

    assert means[:2].tolist() == [210.0, 0.2]
    assert np.isnan(means[2])


def test_values_are_standardised_and_rooms_without_audio_are_average():
    features = AudioFeaturizer().fit_transform(ROOMS)
    heard = features[:3]

    np.testing.assert_allclose(heard.mean(axis=0), 0.0, atol=1e-6)
    np.testing.assert_allclose(heard.std(axis=0), 1.0, atol=1e-5)
    assert features[3].tolist() == [0.0, 0.0]
    rate = AudioFeaturizer().fit(ROOMS).keys_.index("speech_rate_cpm")
    assert heard[1, rate] == heard[:, rate].max()


def test_a_missing_statistic_takes_the_median():
    featurizer = AudioFeaturizer().fit(ROOMS)
    features = featurizer.transform([[{"speech_rate_cpm": 240.0}]])
    pause = featurizer.keys_.index("pause_ratio")
    median = featurizer.transform([[{"speech_rate_cpm": 240.0, "pause_ratio": 0.15}]])

    assert features[0, pause] == pytest.approx(median[0, pause])


def test_a_catalogue_without_audio_gives_an_empty_block():
    featurizer = AudioFeaturizer().fit([[], [{"codec": "aac"}]])

    assert featurizer.n_features_ == 0
    assert featurizer.transform([[]]).shape == (1, 0)
