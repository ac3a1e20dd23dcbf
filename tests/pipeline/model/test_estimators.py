"""The classifiers follow scikit-learn's conventions (its estimator checks pass on each), and
a warm refit really starts from the fitted coefficients."""

from __future__ import annotations

import numpy as np
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC
from sklearn.utils.estimator_checks import parametrize_with_checks

from pipeline.model.classifiers import ContentFusion, ContentOnly, LateFusion
from pipeline.model.temperature import Tempered

# Default column splits (0: every part reads every column), so the checks' generic data,
# down to a single feature, fits each of them.
ESTIMATORS = [
    LateFusion(),
    ContentOnly(),
    ContentFusion(),
    Tempered(ContentFusion()),
    Tempered(make_pipeline(StandardScaler(), LinearSVC())),  # tempering decision values
]


@parametrize_with_checks(ESTIMATORS)
def test_scikit_learn_estimator_checks(estimator, check):
    check(estimator)


def _logregs(model: LateFusion) -> list:
    return [part.steps[-1][1] for part in (model.global_, model.fisher_)]


def test_a_warm_refit_continues_from_the_fitted_coefficients():
    rng = np.random.default_rng(2)
    y = rng.integers(0, 3, 600)
    x = rng.normal(0, 1, (3, 40))[y] + rng.normal(0, 1.5, (600, 40))
    model = LateFusion(split=10).fit(x, y)
    cold = [int(lr.n_iter_[0]) for lr in _logregs(model)]
    before = [lr.coef_.copy() for lr in _logregs(model)]
    model.set_params(warm_start=True).fit(x, y)  # same folders: refitted in place
    warm = [int(lr.n_iter_[0]) for lr in _logregs(model)]
    assert min(cold) > 3 and max(warm) <= 1, (cold, warm)
    for lr, coef in zip(_logregs(model), before, strict=True):
        np.testing.assert_allclose(lr.coef_, coef, atol=1e-3)
    # A new folder cannot continue from the old coefficients: fitted from scratch.
    y[:30] = 3
    model.fit(x, y)
    assert list(model.classes_) == [0, 1, 2, 3] and min(lr.n_iter_[0] for lr in _logregs(model)) > 3
