"""The ``isnad train`` commands: ``isnad train stance`` retrains the shipped claim-stance model,
``isnad train fusion`` the learned fusion of dense and BM25 retrieval."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from assistant.evaluation.commands import DATASETS
from assistant.fusion import shipped_fusion_path
from assistant.settings import PROJECT_ROOT, Settings
from assistant.stance_model import SHIPPED_NAME

train_app = typer.Typer(help="Retrain the models Isnad ships (needs the train extra).", no_args_is_help=True)


@train_app.command("stance")
def train_stance_command(
    ctx: typer.Context,
    data_dir: Annotated[Path, typer.Option("--data-dir", help="Folder holding ans/, factcheck/ and ant/.")] = DATASETS,
    out: Annotated[Path, typer.Option(help="Folder the model files are written to.")] = (
        PROJECT_ROOT / "assistant" / "models"
    ),
    seed: Annotated[int, typer.Option(help="Seed of the classifier.")] = 0,
    limit: Annotated[int | None, typer.Option(help="Only the first N train and dev rows (a quick check).")] = None,
    pairs: Annotated[str, typer.Option(help="Pair kinds trained on: headline, body, hard (comma-separated).")] = (
        "headline,body"
    ),
    novel: Annotated[bool, typer.Option(help="Word-novelty features in the same-language head.")] = True,
    joint: Annotated[bool, typer.Option(help="The pair read together (claim </s> sentence) as a feature.")] = True,
    classifier: Annotated[str, typer.Option(help="lr or mlp")] = "lr",
    c: Annotated[float, typer.Option("--c", help="Inverse regularisation (LogisticRegression C; MLP alpha = 1/C).")] = (
        3.0
    ),
    evidence_prompt: Annotated[str, typer.Option(help="Prompt of the evidence side: 'query: ' or 'passage: '.")] = (
        "query: "
    ),
    name: Annotated[str, typer.Option(help="Model name (and file stem).")] = SHIPPED_NAME,
    as_json: Annotated[bool, typer.Option("--json", help="Print the dev scores as JSON.")] = False,
) -> None:
    """Train the stance heads on ANS train (+ aligned ANT body sentences), score them on ANS dev, save them."""
    from assistant.evaluation.stance_eval import VectorCache
    from assistant.training.stance_training import BASE_FEATURES, NOVEL_FEATURES, Recipe, save_model, train_stance
    from vectorstore.embeddings import load_embedder

    kinds = tuple(k.strip() for k in pairs.split(",") if k.strip())
    if not kinds or set(kinds) - {"headline", "body", "hard"}:
        raise typer.BadParameter("--pairs takes headline, body and/or hard")
    extra = ("joint",) if joint else ()
    recipe = Recipe(pairs=kinds, same_language=(*BASE_FEATURES, *(NOVEL_FEATURES if novel else ()), *extra),
                    cross_language=(*BASE_FEATURES, *extra), classifier=classifier, c=c,
                    prompts=("query: ", evidence_prompt))
    s: Settings = ctx.obj
    err = Console(stderr=True)
    embedder = load_embedder(s.embedding_model, s.cache_dir, device=s.embedding_device, batch_size=32,
                             dtype=s.embedding_dtype)
    run = train_stance(data_dir, VectorCache(embedder), recipe, seed=seed, limit=limit, name=name,
                       say=lambda line: err.print(line, highlight=False, markup=False))
    weights = save_model(run, out)
    if as_json:
        print(json.dumps({"model": str(weights), "pairs": run.counts, "dev": run.dev, "seconds": run.seconds},
                         ensure_ascii=False))
        return
    err.print(f"wrote {weights} ({weights.stat().st_size / 1024:.0f} KiB) and {weights.with_suffix('.json').name}")
    for premise, scores in run.dev.items():
        print(f"dev {premise}: n {scores['n']}, accuracy {scores['accuracy']:.3f}, macro-F1 {scores['macro_f1']:.3f}")


@train_app.command("fusion")
def train_fusion_command(
    ctx: typer.Context,
    data_dir: Annotated[Path, typer.Option("--data-dir", help="Folder holding arcd/.")] = DATASETS,
    out: Annotated[Path | None, typer.Option(help="The model file written; default: the shipped one.")] = None,
    c: Annotated[float, typer.Option("--c", help="Inverse regularisation of the logistic regression.")] = 1.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Train the learned fusion of dense and BM25 on ARCD's questions (grouped cross-validation first), save it."""
    from assistant.evaluation.retrieval_eval import load_arcd
    from assistant.training.fusion_training import train_fusion
    from vectorstore.embeddings import load_embedder

    s: Settings = ctx.obj
    err = Console(stderr=True)
    embedder = load_embedder(s.embedding_model, s.cache_dir, device=s.embedding_device, batch_size=32,
                             dtype=s.embedding_dtype)
    model, report = train_fusion(load_arcd(data_dir), s, embedder, c,
                                 say=lambda line: err.print(line, highlight=False, markup=False))
    out = out or shipped_fusion_path()
    model.save(out)
    if as_json:
        print(json.dumps({"model": str(out), **report}, ensure_ascii=False))
        return
    err.print(f"wrote {out} ({out.stat().st_size} bytes)")
    for kind in ("cross_validation_5_fold_by_page", "in_sample"):
        print(kind + ": " + "; ".join(f"{name} R@1 {v['recall@1']:.3f} R@5 {v['recall@5']:.3f} MRR@10 {v['mrr@10']:.3f}"
                                      for name, v in report[kind].items()))
