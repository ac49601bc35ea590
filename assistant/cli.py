"""The ``isnad`` command line: ingest, ask, check, status, models, serve (and eval, bench, train).

Every command turns Isnad's errors (``IsnadError``) and file-system errors into ``error: <message>``
on stderr and exit code 2; exit 1 means an input was rejected or refused. No traceback reaches a user.
"""

from __future__ import annotations

import json
import logging
import sys
import traceback
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated, Any, NoReturn

import pydantic
import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperGroup

import assistant
from assistant.errors import BadInputError, ConfigurationError, IsnadError
from assistant.evaluation.commands import bench, chunk_bar, eval_app
from assistant.settings import Settings
from assistant.training.commands import train_app
from vectorstore.records import IngestReport, SearchFilter

err = Console(stderr=True)


def fail(message: str) -> NoReturn:
    """``error: <message>`` on stderr, exit code 2."""
    err.print(f"error: {message}", highlight=False, markup=False, soft_wrap=True)
    raise typer.Exit(2)


class ErrorsAsMessages(TyperGroup):
    """Runs each command with Isnad's errors shown as one line instead of a traceback."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, typer.TyperException):  # usage errors and exits: Typer shows them
            raise
        except (IsnadError, OSError) as exc:
            fail(str(exc))
        except Exception as exc:
            if logging.getLogger().isEnabledFor(logging.INFO):
                traceback.print_exc()
            fail(f"unexpected {type(exc).__name__}: {exc} (run with --verbose for the details)")


app = typer.Typer(
    cls=ErrorsAsMessages,
    help="Isnad: answers over Arabic and English news, with verified citations.",
    no_args_is_help=True,
)

def _print_version(shown: bool) -> None:
    if shown:
        print(f"isnad {assistant.__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    data_dir: Annotated[Path | None, typer.Option(help="Index folder (ISNAD_DATA_DIR).")] = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Log progress, and the traceback of an unexpected error.")
    ] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Settings come from ISNAD_* variables and .env; --data-dir chooses the index."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(message)s")
    overrides: dict[str, Any] = {"data_dir": data_dir} if data_dir else {}
    try:
        ctx.obj = Settings(**overrides)
    except pydantic.ValidationError as exc:
        problems = "; ".join(f"ISNAD_{'_'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in exc.errors())
        raise ConfigurationError(f"{problems} (check the environment and .env)") from exc


def _settings(ctx: typer.Context) -> Settings:
    settings: Settings = ctx.obj
    return settings


def _service(ctx: typer.Context) -> Any:
    from assistant.service import IsnadService

    return IsnadService.from_settings(_settings(ctx))


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
    ctx: typer.Context,
    paths: Annotated[list[Path] | None, typer.Argument(help="Files or folders to index.")] = None,
    sample: Annotated[bool, typer.Option("--sample", help="Index the shipped sample corpus.")] = False,
) -> None:
    """Index articles (text, Markdown, HTML, JSON, JSON Lines, folders). Exit 1 if any was rejected."""
    targets = list(paths or [])
    if not targets and not sample:
        raise typer.BadParameter("give PATH… or --sample")
    service = _service(ctx)
    if sample:
        targets = service.sample_paths() + targets
    with chunk_bar("embedding") as bar:
        report = service.ingest_paths(targets, progress=bar.update, on_total=bar.reset)
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


def read_inputs(file: Path, field: str) -> list[str]:
    """The ``field`` of each JSON Lines record in ``file`` (``-``: standard input); a bare JSON string as is."""
    name = "<stdin>" if str(file) == "-" else str(file)
    try:
        data = sys.stdin.buffer.read() if str(file) == "-" else file.read_bytes()
        text = data.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInputError(f"cannot read {name}: {exc}") from exc
    inputs = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            record = exc
        value = record.get(field) if isinstance(record, dict) else record
        if not isinstance(value, str):
            problem = f"invalid JSON ({record})" if isinstance(record, Exception) else f"got {line.strip()[:80]}"
            raise BadInputError(f'{name}:{number}: expected a JSON object with a "{field}" string: {problem}')
        inputs.append(value)
    return inputs


@app.command()
def ask(
    ctx: typer.Context,
    question: Annotated[str | None, typer.Argument(help="The question, in English or Arabic.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per question.")] = False,
    mode: Annotated[str | None, typer.Option(help="llm or extractive (ISNAD_MODE).")] = None,
    file: Annotated[Path | None, typer.Option(help="JSON Lines of {\"question\": …}; - reads stdin.")] = None,
    source: Annotated[list[str] | None, typer.Option(help="Only these outlets (repeatable).")] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="Published on or after YYYY-MM-DD.")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Published on or before YYYY-MM-DD.")] = None,
) -> None:
    """Answer a question with numbered, verified citations."""
    _run_each(ctx, "question", question, file, mode, _filter(source, date_from, date_to), as_json, print_answer)


@app.command()
def check(
    ctx: typer.Context,
    claim: Annotated[str | None, typer.Argument(help="The claim to check, in English or Arabic.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per claim.")] = False,
    mode: Annotated[str | None, typer.Option(help="llm or extractive (ISNAD_MODE).")] = None,
    file: Annotated[Path | None, typer.Option(help="JSON Lines of {\"claim\": …}; - reads stdin.")] = None,
    source: Annotated[list[str] | None, typer.Option(help="Only these outlets (repeatable).")] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="Published on or after YYYY-MM-DD.")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Published on or before YYYY-MM-DD.")] = None,
) -> None:
    """Check a claim: supported, contradicted or not enough information, with evidence and its stance."""
    _run_each(ctx, "claim", claim, file, mode, _filter(source, date_from, date_to), as_json, print_check)


def _run_each(
    ctx: typer.Context, field: str, one: str | None, file: Path | None, mode: str | None, flt: SearchFilter,
    as_json: bool, show: Callable[[Any], None],
) -> None:
    """Answer (``field`` = question) or check (claim) each input; exit 1 if any was refused."""
    if mode not in (None, "llm", "extractive"):
        raise typer.BadParameter("--mode is llm or extractive")
    inputs = read_inputs(file, field) if file else [one] if one else []
    if not inputs:
        raise typer.BadParameter(f"give a {field.upper()} or --file")
    refused = False
    service = _service(ctx)
    run = service.ask if field == "question" else service.check
    try:
        for text in inputs:
            try:
                result = run(text, mode=mode, flt=flt)
            except IsnadError as exc:
                refused = True
                if as_json:
                    print(json.dumps({field: text, "error": str(exc)}, ensure_ascii=False), flush=True)
                else:
                    err.print(f"error: {exc}", highlight=False, markup=False)
                continue
            if as_json:
                print(json.dumps(result.to_dict(), ensure_ascii=False), flush=True)
            else:
                show(result)
    finally:
        service.close()
    raise typer.Exit(1 if refused else 0)


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
        where = "the article's headline" if c.headline else f"chars {c.start}–{c.end}"
        out.print(f"    «{c.quote}»  ({where})", highlight=False, markup=False)


@app.command()
def status(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object on one line.")] = False,
) -> None:
    """What is indexed and which models and stores are in use."""
    print(json.dumps(_service(ctx).status(), ensure_ascii=False, indent=None if as_json else 1))


app.command("stats", help="Same as status.")(status)


@app.command()
def models(
    ctx: typer.Context,
    llm: Annotated[bool, typer.Option(help="Also assemble the embedded LLM's GGUF file.")] = True,
) -> None:
    """Build the offline models into the cache folder (idempotent)."""
    from vectorstore.e5_offline import build_e5_model

    s = _settings(ctx)
    print(build_e5_model(s.cache_dir / "multilingual-e5-small"))
    if llm:
        from assistant.llm.gguf import assemble_gguf

        print(assemble_gguf(s.cache_dir))


@app.command()
def serve(ctx: typer.Context) -> None:
    """Serve the browser UI (same as `python app.py`)."""
    from assistant.ui.page import serve as serve_ui

    serve_ui(_settings(ctx))


# The measuring commands live with the evaluation code.
app.command()(bench)
app.add_typer(eval_app, name="eval")
app.add_typer(train_app, name="train")


def main() -> None:
    app()
