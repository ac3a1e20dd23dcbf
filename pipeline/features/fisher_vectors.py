"""Fisher-vector encoding of the dense local colour descriptors over a diagonal GMM.

The GMM is fitted on the training videos' patches; each video becomes the gradient of the
patches' log-likelihood w.r.t. the GMM means and variances, power- and L2-normalised
(Perronnin et al., 2010). It captures which colours occur where far better than histograms.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
from sklearn.mixture import GaussianMixture

COMPONENTS = 16
MAX_FIT_PATCHES = 60_000


@dataclass
class ColourVocabulary:
    weights: np.ndarray  # K
    means: np.ndarray  # K x D
    variances: np.ndarray  # K x D

    @property
    def dimension(self) -> int:
        return 2 * self.means.size


def fit_vocabulary(locals_: list[np.ndarray], seed: int = 0) -> ColourVocabulary:
    rng = np.random.default_rng(seed)
    patches = np.concatenate(locals_).astype(np.float32)
    if len(patches) > MAX_FIT_PATCHES:
        patches = patches[rng.choice(len(patches), MAX_FIT_PATCHES, replace=False)]
    components = int(min(COMPONENTS, max(1, len(patches) // 20)))
    gmm = GaussianMixture(components, covariance_type="diag", reg_covar=1e-4, random_state=seed)
    gmm.fit(patches)
    return ColourVocabulary(
        gmm.weights_.astype(np.float32), gmm.means_.astype(np.float32),
        gmm.covariances_.astype(np.float32),
    )  # fmt: skip


def fisher_vector(local: np.ndarray, vocab: ColourVocabulary) -> np.ndarray:
    x = local.astype(np.float32)
    if len(x) == 0:
        return np.zeros(vocab.dimension, np.float32)
    std = np.sqrt(vocab.variances)
    diff = (x[:, None, :] - vocab.means[None]) / std[None]  # n x K x D
    log_p = -0.5 * (diff**2).sum(2) - np.log(std).sum(1)[None] + np.log(vocab.weights)[None]
    log_p -= log_p.max(1, keepdims=True)
    gamma = np.exp(log_p)
    gamma /= gamma.sum(1, keepdims=True)
    n = float(len(x))
    g_mu = np.einsum("nk,nkd->kd", gamma, diff) / (n * np.sqrt(vocab.weights)[:, None])
    g_var = np.einsum("nk,nkd->kd", gamma, diff**2 - 1) / (n * np.sqrt(2 * vocab.weights)[:, None])
    fv = np.concatenate([g_mu.ravel(), g_var.ravel()])
    fv = np.sign(fv) * np.sqrt(np.abs(fv))
    normalised: np.ndarray = (fv / (np.linalg.norm(fv) + 1e-12)).astype(np.float32)
    return normalised


def vocabulary_id(vocab: ColourVocabulary) -> str:
    """Names a vocabulary, so cached encodings made with another one are never reused."""
    digest = hashlib.sha256()
    for array in (vocab.weights, vocab.means, vocab.variances):
        digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()[:16]


def encode_all(locals_: list[np.ndarray], vocab: ColourVocabulary) -> np.ndarray:
    """Fisher vectors of many videos (per video: batching was slower, memory-bound)."""
    if not locals_:
        return np.zeros((0, vocab.dimension), np.float32)
    return np.stack([fisher_vector(x, vocab) for x in locals_])
