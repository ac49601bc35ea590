"""The embedder shared by an ingest and concurrent questions (the load test's situation)."""

from __future__ import annotations

import sys
import threading

import numpy as np


def test_counting_tokens_while_another_thread_encodes_breaks_nothing(embedder) -> None:
    texts = [("قالت وزارة الدفاع إن القوات باقية. " * n).strip() for n in range(1, 9)]
    errors: list[BaseException] = []
    done = threading.Event()

    def count() -> None:
        while not done.is_set():
            try:
                for text in texts:
                    embedder.count_tokens(text)
            except BaseException as exc:
                errors.append(exc)
                return

    counter = threading.Thread(target=count)
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads often, so the race shows within a few batches
    counter.start()
    try:
        for _ in range(30):
            vectors = embedder.encode_passages(texts)
            assert vectors.shape == (len(texts), embedder.dimension)
    except BaseException as exc:
        errors.append(exc)
    finally:
        done.set()
        counter.join()
        sys.setswitchinterval(interval)
    assert errors == []
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)


def test_count_is_untruncated_and_matches_the_models_tokenizer(embedder) -> None:
    text = "القوات الأمريكية في سوريا " * 200
    expected = len(embedder.model.tokenizer(embedder.passage_prompt + text)["input_ids"])
    assert embedder.count_tokens(text) == expected > embedder.max_tokens
