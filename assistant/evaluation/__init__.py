"""Evaluation and benchmarks: retrieval and answer quality on public datasets, ingest speed, index audits."""
