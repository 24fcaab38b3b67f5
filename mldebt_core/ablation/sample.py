"""The sample feature table (`data/samples/feature_table.csv`) and its documented, planted truth.

Built deterministically from scikit-learn's bundled breast-cancer dataset (569 tumours, no
download): six of its measurements, the target `malignant` (1 = malignant, 0 = benign), and planted
features whose class an ablation must find. Tests read the truth from `SAMPLE_TABLE_SPEC`, never from
copied numbers. Regenerate the committed file after changing the spec:

    python -c "from mldebt_core.ablation.sample import write_sample_table; write_sample_table()"
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np

SAMPLE_TABLE = Path(__file__).resolve().parents[2] / "data" / "samples" / "feature_table.csv"


@dataclass(frozen=True)
class SampleTableSpec:
    seed: int = 7
    """seed of every planted feature's noise"""
    target: str = "malignant"
    real_features: tuple[str, ...] = ("worst concave points", "worst texture", "worst smoothness",
                                      "worst symmetry", "mean fractal dimension", "texture error")
    """breast-cancer measurements kept as they are; chosen with pairwise |ρ| below 0.8, so that no real
    feature is a copy of another"""
    strong_features: tuple[str, ...] = ("worst concave points", "worst texture")
    """real features the model needs: never recommended for removal"""
    legacy: str = "legacy_worst_concave_points"
    """a near copy of `legacy_of` from an older pipeline: the original plus Gaussian noise of `legacy_noise` of its
    standard deviation, null in `legacy_null_share` of the rows (which makes it the costlier of the two)"""
    legacy_of: str = "worst concave points"
    legacy_noise: float = 0.03
    legacy_null_share: float = 0.05
    bundle: tuple[str, ...] = ("events_clicks_7d", "events_sessions_7d", "events_pageviews_7d", "events_scrolls_7d")
    """a bundle of noise sharing the prefix `events`: Poisson counts with mean `bundle_mean`, unrelated to the
    target (the prefix also matches the demo system's `data/interim/events.parquet`, fed by an unstable URL)"""
    bundle_mean: float = 3.0
    epsilon: str = "referral_count"
    """a tiny real signal: Poisson counts with mean `epsilon_base`, `epsilon_lift` more for malignant tumours,
    null in `epsilon_null_share` of the rows"""
    epsilon_base: float = 2.0
    epsilon_lift: float = 0.6
    epsilon_null_share: float = 0.15
    correlated: tuple[str, ...] = ("nucleus_size_index", "cell_size_index", "shape_index")
    """a correlated group: one latent score (`latent_signal` standard deviations apart between the classes,
    plus standard normal noise), each member adding its own noise of standard deviation `correlated_noise`"""
    latent_signal: float = 0.6
    correlated_noise: float = 0.35

    @property
    def truth(self) -> dict[str, str]:
        """the class each planted feature must receive (one member of the correlated group drives it instead)"""
        return {self.legacy: "legacy", self.epsilon: "epsilon", **{name: "bundled" for name in self.bundle}}


SAMPLE_TABLE_SPEC = SampleTableSpec()


def sample_table(spec: SampleTableSpec = SAMPLE_TABLE_SPEC):
    """The sample as a pandas DataFrame: real features, planted features, then the target."""
    from sklearn.datasets import load_breast_cancer

    data = load_breast_cancer(as_frame=True)
    malignant = (data.target == 0).astype(np.int64).to_numpy()  # the dataset codes malignant as 0
    rows = len(malignant)
    generator = np.random.default_rng(spec.seed)
    frame = data.data[list(spec.real_features)].copy()
    original = data.data[spec.legacy_of].to_numpy()
    legacy = np.round(original + generator.normal(0, spec.legacy_noise * original.std(), rows), 5)
    legacy[generator.random(rows) < spec.legacy_null_share] = np.nan
    frame[spec.legacy] = legacy
    for name in spec.bundle:
        frame[name] = generator.poisson(spec.bundle_mean, rows)
    referral = generator.poisson(spec.epsilon_base + spec.epsilon_lift * malignant).astype(np.float64)
    referral[generator.random(rows) < spec.epsilon_null_share] = np.nan
    frame[spec.epsilon] = referral
    standardised = (malignant - malignant.mean()) / malignant.std()
    latent = spec.latent_signal * standardised + generator.normal(0, 1, rows)
    for name in spec.correlated:
        frame[name] = np.round(latent + generator.normal(0, spec.correlated_noise, rows), 3)
    frame[spec.target] = malignant
    return frame


def write_sample_table(path: Path = SAMPLE_TABLE, spec: SampleTableSpec = SAMPLE_TABLE_SPEC) -> None:
    sample_table(spec).to_csv(path, index=False, lineterminator="\n")
