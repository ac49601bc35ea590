"""Train the stance heads on frozen e5 features (scikit-learn), score them on ANS dev, save them for StanceModel."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from assistant.errors import BadInputError, ConfigurationError
from assistant.evaluation.stance_eval import (
    StancePair,
    VectorCache,
    aligned_body_pairs,
    evaluate_stance,
    headline_pairs,
    linked_articles,
)
from assistant.stance_model import (
    HEADS,
    LABELS,
    SHIPPED_NAME,
    StanceHead,
    StanceModel,
    pair_features,
    pair_texts,
    roles_of,
)
from assistant.training.stance_data import build_training_pairs

BASE_FEATURES = ("u", "v", "abs_diff", "product", "cos")
NOVEL_FEATURES = ("novel_claim", "novel_evidence", "novel_product", "novel_abs_diff")
Say = Callable[[str], None]


@dataclass(frozen=True)
class Recipe:
    """What a variant trains: which pairs, which features per head, which classifier."""

    pairs: tuple[str, ...] = ("headline", "body")
    same_language: tuple[str, ...] = (*BASE_FEATURES, *NOVEL_FEATURES, "joint")
    cross_language: tuple[str, ...] = (*BASE_FEATURES, "joint")
    classifier: str = "lr"  # lr (LogisticRegression) or mlp (MLPClassifier, one hidden layer)
    c: float = 3.0  # LogisticRegression's C; for the MLP, alpha = 1 / c
    hidden: int = 256
    prompts: tuple[str, str] = ("query: ", "query: ")


@dataclass
class TrainingRun:
    """A trained model with what it was trained on and its dev scores."""

    model: StanceModel
    counts: dict[str, int]
    dev: dict[str, Any] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def pair_matrix(pairs: Sequence[StancePair], recipe: Sequence[str], prompts: tuple[str, str],
                vectors: VectorCache) -> np.ndarray:
    """The feature matrix of ``pairs`` for one head's recipe (texts embedded once through ``vectors``)."""
    roles = roles_of(recipe)
    texts = [pair_texts(p.claim, p.evidence, roles, prompts) for p in pairs]
    vectors([t for pair in texts for t in pair.values()])
    return pair_features({role: vectors([pair[role] for pair in texts]) for role in roles}, recipe)


def fit_head(features: np.ndarray, labels: Sequence[str], recipe: Recipe, head_features: tuple[str, ...],
             seed: int) -> StanceHead:
    """A class-balanced scikit-learn classifier, stored as numpy layers."""
    try:
        from sklearn.linear_model import LogisticRegression
        from sklearn.neural_network import MLPClassifier
    except ImportError as exc:
        raise ConfigurationError("training needs scikit-learn: pip install -e '.[train]'") from exc
    missing = sorted(set(LABELS) - set(labels))
    if missing:
        raise BadInputError(f"the training pairs hold no {', '.join(missing)} example; train on more rows")
    target = np.array([LABELS.index(label) for label in labels])
    if recipe.classifier == "lr":
        lr = LogisticRegression(C=recipe.c, class_weight="balanced", max_iter=5000, random_state=seed)
        lr.fit(features, target)
        layers = [(lr.coef_.T.astype(np.float32), lr.intercept_.astype(np.float32))]
    elif recipe.classifier == "mlp":
        mlp = MLPClassifier(hidden_layer_sizes=(recipe.hidden,), alpha=1 / recipe.c, max_iter=60, random_state=seed)
        mlp.fit(features, target)
        layers = [(w.astype(np.float32), b.astype(np.float32)) for w, b in zip(mlp.coefs_, mlp.intercepts_,
                                                                                strict=True)]
    else:
        raise BadInputError(f"unknown classifier {recipe.classifier!r}: lr or mlp")
    return StanceHead(head_features, layers, LABELS)


def model_meta(name: str, recipe: Recipe, vectors: VectorCache, seed: int) -> dict[str, Any]:
    import sklearn

    return {
        "name": name, "format": 1, "classes": list(LABELS),
        "claim_prompt": recipe.prompts[0], "evidence_prompt": recipe.prompts[1],
        "embedding_model": vectors.embedder.name, "embedding_dim": vectors.embedder.dimension,
        "embedding_dtype": str(next(vectors.embedder.model.parameters()).dtype).removeprefix("torch."),
        "heads": {head: {"features": list(getattr(recipe, head)), "layers": 2 if recipe.classifier == "mlp" else 1}
                  for head in HEADS},
        "recipe": asdict(recipe), "seed": seed, "scikit_learn": sklearn.__version__,
        "trained": date.today().isoformat(),
    }


def train_stance(data_dir: Path, vectors: VectorCache, recipe: Recipe, seed: int = 0, limit: int | None = None,
                 name: str = SHIPPED_NAME, say: Say = print) -> TrainingRun:
    """Build the pairs (first ``limit`` ANS train rows), fit both heads, score them on dev (first ``limit`` rows)."""
    started = time.perf_counter()
    say("building training pairs (ANS train rows, ANT body sentences)…")
    pairs = build_training_pairs(data_dir, vectors, limit).chosen(recipe.pairs)
    counts = {kind: sum(p.kind == kind for p in pairs) for kind in recipe.pairs}
    say(f"pairs: {counts}; embedding and fitting…")
    heads = {}
    for head in HEADS:
        features = pair_matrix(pairs, getattr(recipe, head), recipe.prompts, vectors)
        heads[head] = fit_head(features, [p.label for p in pairs], recipe, getattr(recipe, head), seed)
    model = StanceModel(heads, model_meta(name, recipe, vectors, seed))
    run = TrainingRun(model, counts, seconds={"train": round(time.perf_counter() - started, 1)})
    say("scoring on ANS dev (headline and aligned body premises)…")
    run.dev = dev_scores(model, data_dir, vectors, limit)
    run.seconds["dev"] = round(time.perf_counter() - started - run.seconds["train"], 1)
    return run


def dev_scores(model: StanceModel, data_dir: Path, vectors: VectorCache, limit: int | None) -> dict[str, Any]:
    """Dev scores: headline and body premises; also the cross-language head alone on the headline pairs."""
    linked = linked_articles(data_dir, "dev", limit)
    headline, body = headline_pairs(linked.rows), aligned_body_pairs(linked, vectors)
    cross_only = StanceModel(dict.fromkeys(HEADS, model.heads["cross_language"]), model.meta)
    return {
        "headline": evaluate_stance(model, vectors, headline),
        "body": evaluate_stance(model, vectors, body),
        "headline_cross_language_head": evaluate_stance(cross_only, vectors, headline),
    }


def save_model(run: TrainingRun, out_dir: Path) -> Path:
    """``out_dir/<name>.npz`` (the layers) and ``<name>.json`` (recipe, counts, dev scores); returns the npz."""
    out_dir.mkdir(parents=True, exist_ok=True)
    model = run.model
    arrays: dict[str, Any] = {f"{head}.{kind}{i}": array for head, spec in model.heads.items()
              for i, layer in enumerate(spec.layers) for kind, array in zip("Wb", layer, strict=True)}
    weights = out_dir / f"{model.name}.npz"
    np.savez_compressed(weights, **arrays)
    meta = model.meta | {"pairs": run.counts, "dev": run.dev, "seconds": run.seconds}
    weights.with_suffix(".json").write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return weights
