"""The trained claim-stance model: (claim, evidence sentence) → supports / contradicts / unrelated, numpy only.

Small heads (logistic regression or MLP) over frozen e5 embeddings of the pair: the claim, the sentence,
the words of each that the other lacks, and the two read together. Two heads: one for a claim and a
sentence in the same language (it may use the word-novelty features), one for a claim in another
language than its sentence (word overlap means nothing there). The weights are an ``.npz``
(``<head>.W0, <head>.b0, …``, ReLU between layers, softmax at the end) with a JSON beside it (same
stem): class order, feature recipe per head, prompt, embedding model. ``isnad train stance`` writes
both; ``assistant/models/MODEL_CARD.md`` describes the shipped ones.
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, get_args

import numpy as np

from assistant.errors import ConfigurationError
from ingest.arabic import detect_language, light_stem, normalize

if TYPE_CHECKING:
    from vectorstore.embeddings import SentenceEmbedder

StanceLabel = Literal["supports", "contradicts", "unrelated"]
LABELS: tuple[StanceLabel, ...] = get_args(StanceLabel)
HEADS = ("same_language", "cross_language")
SHIPPED_NAME = "isnad-stance-v1"
RETRAIN_HINT = "retrain it with `isnad train stance` (pip install -e '.[train]')"
JOINT_SEPARATOR = " </s> "
_WORD = re.compile(r"\w+", re.UNICODE)
Embed = Callable[[Sequence[str]], np.ndarray]  # prompted texts → (n, dim) L2-normalised vectors

# Each feature: the embedded texts it reads ("roles") and how it combines their vectors.
_FEATURES: dict[str, tuple[tuple[str, ...], Any]] = {
    "u": (("claim",), lambda v: v["claim"]),
    "v": (("evidence",), lambda v: v["evidence"]),
    "abs_diff": (("claim", "evidence"), lambda v: np.abs(v["claim"] - v["evidence"])),
    "product": (("claim", "evidence"), lambda v: v["claim"] * v["evidence"]),
    "cos": (("claim", "evidence"), lambda v: np.sum(v["claim"] * v["evidence"], axis=1, keepdims=True)),
    "novel_claim": (("novel_claim",), lambda v: v["novel_claim"]),
    "novel_evidence": (("novel_evidence",), lambda v: v["novel_evidence"]),
    "novel_product": (("novel_claim", "novel_evidence"), lambda v: v["novel_claim"] * v["novel_evidence"]),
    "novel_abs_diff": (("novel_claim", "novel_evidence"), lambda v: np.abs(v["novel_claim"] - v["novel_evidence"])),
    "joint": (("joint",), lambda v: v["joint"]),
}
FEATURES = tuple(_FEATURES)


def shipped_model_path() -> Path:
    """The weights shipped with Isnad (``assistant/models/isnad-stance-v1.npz``), wherever it is installed."""
    return Path(str(files("assistant.models"))) / f"{SHIPPED_NAME}.npz"


@dataclass(frozen=True)
class StanceScores:
    """The model's probabilities for one (claim, sentence) pair; they sum to 1."""

    supports: float
    contradicts: float
    unrelated: float

    @property
    def label(self) -> StanceLabel:
        """The most probable stance (the first in LABELS order on a tie)."""
        return max(LABELS, key=lambda name: getattr(self, name))

    @property
    def confidence(self) -> float:
        """The probability of ``label``."""
        return float(getattr(self, self.label))


def novel_words(text: str, other: str) -> str:
    """The words of ``text`` whose light stem ``other`` lacks, in order: what one side says that the other does not."""
    present = {light_stem(w) for w in _WORD.findall(normalize(other))}
    return " ".join(w for w in _WORD.findall(text) if light_stem(normalize(w)) not in present)


def roles_of(recipe: Sequence[str]) -> tuple[str, ...]:
    """The embedded texts a feature recipe reads, in a fixed order."""
    unknown = [name for name in recipe if name not in _FEATURES]
    if unknown:
        raise ValueError(f"unknown stance features {unknown}; known: {', '.join(FEATURES)}")
    return tuple(dict.fromkeys(role for name in recipe for role in _FEATURES[name][0]))


def pair_texts(claim: str, evidence: str, roles: Sequence[str], prompts: tuple[str, str]) -> dict[str, str]:
    """The prompted text to embed for each role of one pair (``prompts``: claim side, evidence side)."""
    claim_prompt, evidence_prompt = prompts
    makers = {
        "claim": lambda: claim_prompt + claim,
        "evidence": lambda: evidence_prompt + evidence,
        "novel_claim": lambda: claim_prompt + novel_words(claim, evidence),
        "novel_evidence": lambda: claim_prompt + novel_words(evidence, claim),
        "joint": lambda: claim_prompt + claim + JOINT_SEPARATOR + evidence,
    }
    return {role: makers[role]() for role in roles}


def pair_features(vectors: Mapping[str, np.ndarray], recipe: Sequence[str]) -> np.ndarray:
    """(n, width) features from the (n, dim) L2-normalised vectors of each role, per ``recipe``."""
    roles_of(recipe)
    return np.concatenate([np.asarray(_FEATURES[name][1](vectors), np.float32) for name in recipe], axis=1)


def feature_width(recipe: Sequence[str], dim: int) -> int:
    return sum(1 if name == "cos" else dim for name in recipe)


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax, stable for large logits."""
    exp = np.exp(logits - logits.max(axis=1, keepdims=True))
    return np.asarray(exp / exp.sum(axis=1, keepdims=True))


@dataclass
class StanceHead:
    """One classifier: its feature recipe and layers (the last gives one logit per class, in ``classes`` order)."""

    features: tuple[str, ...]
    layers: list[tuple[np.ndarray, np.ndarray]]
    classes: tuple[str, ...] = LABELS

    def check(self, dim: int) -> None:
        """ValueError unless the layers chain up from the features to one logit per stance."""
        if sorted(self.classes) != sorted(LABELS):
            raise ValueError(f"classes {self.classes} are not {LABELS}")
        width = feature_width(self.features, dim)
        for i, (weight, bias) in enumerate(self.layers):
            if weight.ndim != 2 or weight.shape[0] != width or bias.shape != (weight.shape[1],):
                raise ValueError(f"layer {i} has shape {weight.shape} + {bias.shape}, expected ({width}, n) + (n,)")
            if not (np.isfinite(weight).all() and np.isfinite(bias).all()):
                raise ValueError(f"layer {i} holds non-finite weights")
            width = weight.shape[1]
        if width != len(self.classes):
            raise ValueError(f"the last layer gives {width} outputs for {len(self.classes)} classes")

    def probabilities(self, vectors: Mapping[str, np.ndarray]) -> np.ndarray:
        """(n, 3) probabilities in LABELS order."""
        hidden = pair_features(vectors, self.features)
        for i, (weight, bias) in enumerate(self.layers):
            hidden = hidden @ weight + bias
            if i < len(self.layers) - 1:
                hidden = np.maximum(hidden, 0.0)
        return softmax(hidden)[:, [self.classes.index(label) for label in LABELS]]


class StanceModel:
    """The stance heads with their recipe; ``predict`` embeds the claim and the sentences and scores each pair."""

    def __init__(self, heads: dict[str, StanceHead], meta: dict[str, Any]) -> None:
        self.heads = heads
        self.meta = meta
        self.name: str = meta["name"]
        self.prompts: tuple[str, str] = (meta["claim_prompt"], meta["evidence_prompt"])
        self.embedding_model: str = meta["embedding_model"]
        self.dimension = int(meta["embedding_dim"])
        for head in heads.values():
            head.check(self.dimension)

    @classmethod
    def load(cls, path: Path | None = None) -> StanceModel:
        """The model at ``path`` (an ``.npz`` with its ``.json`` beside it); default: the shipped one.

        Raises ConfigurationError naming the file when it is missing or damaged.
        """
        weights = path or shipped_model_path()
        meta_path = weights.with_suffix(".json")
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            with np.load(weights, allow_pickle=False) as stored:
                heads = {name: StanceHead(tuple(spec["features"]), [
                    (stored[f"{name}.W{i}"], stored[f"{name}.b{i}"]) for i in range(int(spec["layers"]))
                ], tuple(meta["classes"])) for name, spec in meta["heads"].items()}
            if set(heads) != set(HEADS):
                raise ValueError(f"heads {sorted(heads)} are not {list(HEADS)}")
            return cls(heads, meta)
        except FileNotFoundError as exc:
            raise ConfigurationError(
                f"the stance model {weights} is missing ({exc.filename} not found); {RETRAIN_HINT}"
            ) from exc
        except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile) as exc:  # JSONDecodeError is a ValueError
            raise ConfigurationError(
                f"the stance model {weights} (with {meta_path.name}) is damaged ({exc}); {RETRAIN_HINT}"
            ) from exc

    def suits(self, embedder: SentenceEmbedder) -> bool:
        """Whether ``embedder`` is the model the heads were trained on (other vectors mean nothing to them)."""
        return embedder.name == self.embedding_model and embedder.dimension == self.dimension

    def head_for(self, claim: str, evidence: str) -> str:
        same = detect_language(claim) == detect_language(evidence)
        return "same_language" if same else "cross_language"

    def predict(self, embedder: SentenceEmbedder, claim: str, sentences: Sequence[str]) -> list[StanceScores]:
        """The stance of each sentence towards ``claim``, in order (one batched encode of all the texts)."""
        if not sentences:
            return []
        if not self.suits(embedder):
            raise ConfigurationError(
                f"the stance model {self.name} was trained on {self.embedding_model} embeddings, not "
                f"{embedder.name}; use that embedding model or {RETRAIN_HINT}"
            )
        rows = self.probabilities([(claim, s) for s in sentences], lambda texts: embed_texts(embedder, texts))
        return [StanceScores(*map(float, row)) for row in rows]

    def probabilities(self, pairs: Sequence[tuple[str, str]], embed: Embed) -> np.ndarray:
        """(n, 3) probabilities in LABELS order for (claim, evidence) pairs; ``embed`` gets every text once."""
        heads = [self.head_for(claim, evidence) for claim, evidence in pairs]
        texts = [pair_texts(claim, evidence, roles_of(self.heads[h].features), self.prompts)
                 for (claim, evidence), h in zip(pairs, heads, strict=True)]
        unique = list(dict.fromkeys(t for pair in texts for t in pair.values()))
        vector_of = dict(zip(unique, embed(unique), strict=True))
        probabilities = np.zeros((len(pairs), len(LABELS)))
        for name in dict.fromkeys(heads):
            rows = [i for i, h in enumerate(heads) if h == name]
            vectors = {role: np.stack([vector_of[texts[i][role]] for i in rows]) for role in texts[rows[0]]}
            probabilities[rows] = self.heads[name].probabilities(vectors)
        return probabilities


def embed_texts(embedder: SentenceEmbedder, prompted: Sequence[str]) -> np.ndarray:
    """L2-normalised float32 vectors of texts that already carry their prompt, in one batched encode."""
    vectors = embedder.model.encode(
        list(prompted), batch_size=embedder.batch_size, normalize_embeddings=True, convert_to_numpy=True
    )
    return np.asarray(vectors, dtype=np.float32).reshape(len(prompted), -1)
