"""Training pairs for the stance model, shaped like the product's (claim, body sentence) comparisons.

From the ANS train split only: (s2, s1) headline pairs; (s2, the body sentence of s1's ANT article that
best matches s1) with the same label; and hard ``unrelated`` pairs (s2, the sentence most like s2 in
the nearest OTHER article, by title). Articles of dev claims are never used, so dev scores stay honest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from assistant.evaluation.stance_eval import (
    LinkedArticles,
    StancePair,
    VectorCache,
    aligned_body_pairs,
    best_matches,
    headline_pairs,
    linked_articles,
    read_links,
)

TITLE_PROMPT = "query: "


@dataclass
class TrainingPairs:
    """Pairs by kind; ``chosen(kinds)`` is what a variant trains on."""

    by_kind: dict[str, list[StancePair]] = field(default_factory=dict)

    def chosen(self, kinds: tuple[str, ...]) -> list[StancePair]:
        return [pair for kind in kinds for pair in self.by_kind.get(kind, [])]

    def counts(self) -> dict[str, int]:
        return {kind: len(pairs) for kind, pairs in self.by_kind.items()}


def build_training_pairs(data_dir: Path, vectors: VectorCache, limit: int | None = None) -> TrainingPairs:
    """Headline, body and hard-unrelated pairs from the ANS train rows (the first ``limit`` rows when given)."""
    dev_articles = {d for link in read_links(data_dir, "dev") for d in link["ant_docnos"]}
    linked = linked_articles(data_dir, "train", limit, exclude=dev_articles)
    return TrainingPairs({
        "headline": headline_pairs(linked.rows),
        "body": aligned_body_pairs(linked, vectors),
        "hard": hard_unrelated(linked, vectors),
    })


def nearest_other_articles(linked: LinkedArticles, vectors: VectorCache) -> list[str]:
    """For each link, the article (among the linked ones) whose title is most like its own article's title."""
    docnos = sorted(d for d in linked.articles if linked.sentences.get(d))
    titles = vectors([TITLE_PROMPT + linked.articles[d]["title"] for d in docnos])
    similarity = titles @ titles.T
    position = {d: i for i, d in enumerate(docnos)}
    nearest = []
    for link in linked.links:
        own = [position[d] for d in link["ant_docnos"] if d in position]
        scores = similarity[own].max(axis=0)
        scores[own] = -np.inf
        nearest.append(docnos[int(np.argmax(scores))])
    return nearest


def hard_unrelated(linked: LinkedArticles, vectors: VectorCache) -> list[StancePair]:
    """For each linked claim: the sentence most like it in the nearest other article → unrelated."""
    if len(linked.articles) < 2:
        return []
    others = nearest_other_articles(linked, vectors)
    claims = [linked.rows[link["ans_row"]].claim for link in linked.links]
    chosen = best_matches(vectors, claims, [linked.sentences[d] for d in others])
    return [StancePair(claim, linked.sentences[d][i], "unrelated", "hard")
            for claim, d, i in zip(claims, others, chosen, strict=True)]
