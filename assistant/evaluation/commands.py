"""The measuring commands of the ``isnad`` CLI: ``isnad eval retrieval|answers|stance`` and ``isnad bench``."""

from __future__ import annotations

import importlib.util
import json
import sys
import tempfile
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from tqdm import tqdm

from assistant.errors import ConfigurationError
from assistant.settings import PROJECT_ROOT, Settings

DATASETS = PROJECT_ROOT.parent / "shared" / "data"
NAIVE_PACKAGES = ("langchain_chroma", "langchain_huggingface", "langchain_text_splitters")

eval_app = typer.Typer(help="Measure retrieval and answers on public datasets.", no_args_is_help=True)


def chunk_bar(desc: str) -> tqdm:
    """A progress bar on stderr counting embedded chunks."""
    return tqdm(desc=desc, unit=" chunks", file=sys.stderr, dynamic_ncols=True, smoothing=0.1)


@eval_app.command("retrieval")
def eval_retrieval(
    ctx: typer.Context,
    dataset: Annotated[str, typer.Option(help="xquad, arcd or factcheck")] = "xquad",
    lang: Annotated[str, typer.Option(help="Question language (xquad): ar or en.")] = "ar",
    data_dir: Annotated[Path, typer.Option("--data-dir", help="Folder holding the datasets.")] = DATASETS,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Recall@1/@5 and MRR@10, with dense-only and BM25-only baselines from the same index."""
    from assistant.evaluation.retrieval_eval import evaluate_retrieval, load_eval_set
    from assistant.service import SAMPLE_FILES
    from vectorstore.embeddings import load_embedder

    s: Settings = ctx.obj
    try:
        eval_set = load_eval_set(dataset, lang, data_dir, [s.sample_dir / f for f in SAMPLE_FILES])
    except (OSError, ValueError, KeyError) as exc:
        raise typer.BadParameter(f"cannot load {dataset} from {data_dir}: {exc}") from exc
    embedder = load_embedder(s.embedding_model, s.cache_dir, device=s.embedding_device,
                             batch_size=s.embedding_batch_size, dtype=s.embedding_dtype)
    with chunk_bar(f"indexing {dataset}") as bar:
        rows = evaluate_retrieval(eval_set, s, embedder, progress=bar.update, on_total=bar.reset)
    if as_json:
        print(json.dumps(rows[0] | {"baselines": rows[1:], "embedding_runtime": embedder.runtime}, ensure_ascii=False))
        return
    out = Console()
    out.print(f"{dataset} ({eval_set.lang} questions, n={rows[0]['n']}; embedding runtime {embedder.runtime})")
    for row in rows:
        out.print(f"  {row['config']['variant']:>11}: R@1 {row['recall@1']:.3f}  R@5 {row['recall@5']:.3f}  "
                  f"MRR@10 {row['mrr@10']:.3f}  ({row['seconds']} s)")


@eval_app.command("answers")
def eval_answers(
    ctx: typer.Context,
    dataset: Annotated[str, typer.Option(help="factcheck (ANS claims whose source is in the sample corpus)")] = (
        "factcheck"
    ),
    mode: Annotated[str, typer.Option(help="llm or extractive")] = "extractive",
    split: Annotated[str, typer.Option(help="ANS split: dev, train or all")] = "dev",
    limit: Annotated[int | None, typer.Option(help="At most this many claims (label mix kept).")] = None,
    data_dir: Annotated[Path, typer.Option("--data-dir", help="Folder holding the datasets.")] = DATASETS,
    index_dir: Annotated[
        Path | None, typer.Option(help="Reuse an index of the sample corpus (read only); default: a temporary one.")
    ] = None,
    abstention: Annotated[bool, typer.Option(help="Also ask the out-of-corpus questions.")] = True,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Claim verdicts (accuracy, macro-F1, majority baseline), verified-citation honesty, abstention."""
    if dataset != "factcheck" or mode not in ("llm", "extractive") or split not in ("dev", "train", "all"):
        raise typer.BadParameter("--dataset factcheck, --mode llm|extractive, --split dev|train|all")
    with tempfile.TemporaryDirectory(prefix="isnad-eval-") as tmp:
        settings = ctx.obj.model_copy(update={"data_dir": index_dir or Path(tmp)})
        result = _answer_scores(settings, index_dir is None, data_dir, mode, split, limit, abstention)
    result["config"] = {"split": split, "limit": limit, "min_relevance": settings.min_relevance,
                        "embedding_runtime": result.pop("embedding_runtime")}
    if as_json:
        print(json.dumps(result, ensure_ascii=False))
        return
    out = Console()
    base = result["majority_baseline"] or {}
    out.print(f"factcheck ({mode}, {split}, n={result['n']}): accuracy {result['accuracy']:.3f}, "
              f"macro-F1 {result['macro_f1']:.3f}; majority baseline ({base.get('label')}) accuracy "
              f"{base.get('accuracy', 0):.3f}, macro-F1 {base.get('macro_f1', 0):.3f}")
    out.print(f"verified citations verbatim: {result['verified_citations']}")
    out.print(f"abstention on out-of-corpus questions: {result['abstention_out_of_corpus']}")
    out.print(f"embedding runtime: {result['config']['embedding_runtime']}")


def _answer_scores(
    settings: Settings, index_sample: bool, data_dir: Path, mode: str, split: str, limit: int | None, abstention: bool
) -> dict:
    """Check the ANS claims (and ask the out-of-corpus questions) against an index of the sample corpus."""
    from assistant.evaluation.answer_eval import evaluate_answers, load_claims, load_questions
    from assistant.service import IsnadService

    service = IsnadService.from_settings(settings)
    if index_sample:
        with chunk_bar("indexing the sample corpus") as bar:
            service.ingest_paths(service.sample_paths(), progress=bar.update)
    urls = {a.url for a in service.index.list_articles() if a.url}
    cases = load_claims(data_dir / "factcheck" / "ans_x_ant_claims.jsonl", urls, split, limit)
    questions = load_questions(settings.sample_dir / "eval" / "out_of_corpus.jsonl") if abstention else []
    with tqdm(total=len(cases) + len(questions), desc=f"checking ({mode})", file=sys.stderr) as bar:
        result = evaluate_answers(service, cases, questions, mode, progress=bar.update)
    result["embedding_runtime"] = service.embedder.runtime
    service.close()
    return result


@eval_app.command("stance")
def eval_stance(
    ctx: typer.Context,
    split: Annotated[str, typer.Option(help="Scores DIR/ans/stance_{split}.csv (any split whose file exists).")] = (
        "dev"
    ),
    data_dir: Annotated[Path, typer.Option("--data-dir", help="Folder holding ans/ (and factcheck/, ant/).")] = (
        DATASETS
    ),
    model: Annotated[Path | None, typer.Option(help="The model's .npz (default: the shipped one).")] = None,
    premise: Annotated[str, typer.Option(help="headline (the ANS s1) or body (its aligned ANT body sentence)")] = (
        "headline"
    ),
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """The claim-stance model on ANS pairs: accuracy, macro-F1, per class, confusion."""
    from assistant.evaluation.stance_eval import VectorCache, body_pairs, evaluate_stance, headline_pairs, read_ans
    from assistant.stance_model import StanceModel
    from vectorstore.embeddings import load_embedder

    if premise not in ("headline", "body"):
        raise typer.BadParameter("--premise headline or body")
    stance_model = StanceModel.load(model)
    s: Settings = ctx.obj
    rows = read_ans(data_dir, split)  # a missing split fails before the embedding model loads
    embedder = load_embedder(s.embedding_model, s.cache_dir, device=s.embedding_device, batch_size=32,
                             dtype=s.embedding_dtype)
    vectors = VectorCache(embedder)
    pairs = headline_pairs(rows) if premise == "headline" else body_pairs(data_dir, split, vectors)
    result = evaluate_stance(stance_model, vectors, pairs)
    result["config"] = {"split": split, "premise": premise, "model": stance_model.name,
                        "embedding_runtime": embedder.runtime}
    if as_json:
        print(json.dumps(result, ensure_ascii=False))
        return
    out = Console()
    out.print(f"stance ({stance_model.name}, {split}, {premise} premises, n={result['n']}): accuracy "
              f"{result['accuracy']:.3f}, macro-F1 {result['macro_f1']:.3f} ({result['seconds']} s)")
    for label, row in result["per_class"].items():
        out.print(f"  {label:>11}: precision {row['precision']:.3f}  recall {row['recall']:.3f}  "
                  f"F1 {row['f1']:.3f}  support {row['support']}")


def bench(
    ctx: typer.Context,
    scales: Annotated[str, typer.Option(help="Numbers of ANT articles, comma-separated; 'all' = every one.")] = (
        "1000,10000,all"
    ),
    data_dir: Annotated[Path, typer.Option("--data-dir", help="Folder holding ant/ and factcheck/.")] = DATASETS,
    naive: Annotated[bool, typer.Option(help="Also run the naive LangChain pipeline.")] = True,
    queries: Annotated[int, typer.Option(help="Queries timed for retrieval latency.")] = 100,
    answers: Annotated[int, typer.Option(help="Queries timed for an extractive answer end to end.")] = 20,
    llm_questions: Annotated[int, typer.Option(help="Queries also answered in llm mode (embedded LLM); 0 = none.")] = 0,
    out: Annotated[Path | None, typer.Option(help="Also write the results as JSON here.")] = None,
) -> None:
    """Ingest speed, re-ingest, latency and quality on ANT, beside the naive LangChain pipeline."""
    from assistant.evaluation.bench import format_report, parse_scales, run_bench

    try:
        chosen = parse_scales(scales)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    missing = [name for name in NAIVE_PACKAGES if importlib.util.find_spec(name) is None] if naive else []
    if missing:
        raise ConfigurationError(
            f"the naive pipeline needs {', '.join(missing)}: pip install -e '.[bench]' (or pass --no-naive)"
        )
    err = Console(stderr=True)
    say = lambda line: err.print(line, highlight=False, markup=False, soft_wrap=True)  # noqa: E731
    result = run_bench(ctx.obj, data_dir, chosen, naive=naive, latency_n=queries, answers_n=answers,
                       llm_n=llm_questions, say=say)
    if out:
        out.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    print(format_report(result))
