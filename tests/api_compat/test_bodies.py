"""The encoded bodies of the hot GETs are reused while what they were built from holds, and
built again when the library, predictions.json or similarity.json change."""

from __future__ import annotations

import json
import os

from api_compat.bodies import BodyCache
from tests.core.test_similarity import SAMPLE, A, B, C, _age, settings  # noqa: F401 (fixture)
from vidsort_tui.core.library import Library
from vidsort_tui.core.listing import VideoListing
from vidsort_tui.core.predictions import Prediction, PredictionStore, write_predictions
from vidsort_tui.core.similarity_file import Similarity, write_similarity
from vidsort_tui.core.similarity_store import SimilarityStore


def test_store_caches_bodies_until_the_library_or_file_changes(settings):  # noqa: F811
    write_similarity(settings.artifacts_dir, SAMPLE)
    _age(settings)
    store, bodies = SimilarityStore(Library(settings)), BodyCache()
    first = bodies.similarity(store, "groups")
    assert json.loads(first)["groups"][0]["videos"] == [A, B, C]
    assert bodies.similarity(store, "groups") is first  # cached: nothing changed
    assert json.loads(bodies.similarity(store, "duplicates"))["groups"][0]["similarity"] == 0.97
    os.unlink(settings.data_dir / A)
    _age(settings)
    assert json.loads(bodies.similarity(store, "groups"))["groups"][0]["videos"] == [B, C]
    write_similarity(settings.artifacts_dir, Similarity())
    assert json.loads(bodies.similarity(store, "groups")) == {"groups": []}


def test_the_videos_body_is_reused_until_the_root_or_predictions_change(settings):  # noqa: F811
    _age(settings)
    library = Library(settings)
    listing = VideoListing(
        library, PredictionStore(settings.artifacts_dir), SimilarityStore(library)
    )
    bodies = BodyCache()
    first = bodies.videos(listing, "found")
    assert json.loads(first)["total"] == 4
    assert bodies.videos(listing, "found") is first  # cached: nothing changed
    write_predictions(settings.artifacts_dir, {A: Prediction("sea", 0.9)})
    assert json.loads(bodies.videos(listing, "found"))["videos"][0]["predicted_folder"] == "sea"
    os.unlink(settings.data_dir / A)
    _age(settings)
    assert json.loads(bodies.videos(listing, "found"))["total"] == 3
