"""``waakhond factchecks ...`` (debunks in and out) and ``waakhond match`` (claim matching)."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

import storage
from classifier.matching import (
    DEFAULT_TARGET_PRECISION,
    Matcher,
    StageTwoError,
    build_corpus,
    load_matcher,
    load_pair_set,
    refresh_claim_signals,
    run_matching,
    train_stage_two,
    training_background,
    write_stage_two,
)
from classifier.scoring import split_sentences
from collector import parse_claimreview_json, parse_factcheck_csv
from storage.repositories import audit, claim_matches, factchecks
from storage.schema import RATINGS
from waakhond.cli.main_support import actor_name, context_of
from waakhond.cli.progress import progress_bar
from waakhond.context import AppContext
from waakhond.errors import EnvironmentProblem, UserError

factchecks_app = typer.Typer(help="Fact-checks (debunks): import, list, show, remove.", no_args_is_help=True)
match_app = typer.Typer(
    help="Match classified items against the fact-checks' claims (or: match calibrate).",
    invoke_without_command=True,
)

#: Fact-check lists are megabytes at most; a larger file is refused before it is read.
MAX_IMPORT_BYTES = 50_000_000


def register(app: typer.Typer) -> None:
    app.add_typer(factchecks_app, name="factchecks")
    app.add_typer(match_app, name="match")


def _fact_check_dict(row) -> dict:
    return {
        "id": row.id, "url": row.url, "publisher": row.publisher, "claim": row.claim_reviewed,
        "headline": row.headline, "rating": row.rating, "rating_text": row.rating_text,
        "rating_value": row.rating_value, "best_rating": row.best_rating, "worst_rating": row.worst_rating,
        "claim_author": row.claim_author, "appearances": list(row.appearances or []),
        "published_at": row.published_at.isoformat() if row.published_at else None,
        "language": row.language, "origin": row.origin, "created_by": row.created_by,
        "created_at": row.created_at.isoformat(), "matched_at": row.matched_at.isoformat() if row.matched_at else None,
    }


@factchecks_app.command("import")
def import_(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="ClaimReview JSON-LD (.json/.jsonld) or a curated list (.csv)."),
    publisher: str | None = typer.Option(None, "--publisher", help="Publisher when the file names none."),
) -> None:
    """Import fact-checks. Importing the same file again changes nothing.

    CSV columns: url, claim (required); rating, publisher, date, language, claim_author,
    appearances, rating_value, best_rating, worst_rating (optional).
    """
    try:
        if file.stat().st_size > MAX_IMPORT_BYTES:
            raise UserError(f"{file} is larger than {MAX_IMPORT_BYTES // 1_000_000} MB: split it, or is it the right file?")
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"cannot read {file}: {exc}") from exc
    suffix = file.suffix.lower()
    try:
        if suffix == ".csv":
            specs = parse_factcheck_csv(text)
            if publisher:
                specs = [s if s.publisher else type(s)(**{**s.__dict__, "publisher": publisher}) for s in specs]
        elif suffix in (".json", ".jsonld"):
            specs = parse_claimreview_json(text, publisher=publisher)
        else:
            raise UserError(f"unknown fact-check file type {suffix!r}: use .json, .jsonld or .csv")
    except ValueError as exc:
        raise UserError(f"{file}: {exc}") from exc
    app_ctx = context_of(ctx)
    app_ctx.require_database()
    with storage.transaction(app_ctx.sessions) as session:
        counts = factchecks.upsert_fact_checks(session, specs, origin="imported", actor=actor_name())
        audit.record(session, actor_name(), "factcheck.import", "fact_check", None,
                     {"file": str(file), "created": counts.created, "updated": counts.updated})
    typer.echo(
        f"Imported {counts.created} new fact-check(s) from {file} "
        f"({counts.updated} updated, {counts.unchanged} unchanged). Run `waakhond match` to match them."
    )


@factchecks_app.command("list")
def list_(
    ctx: typer.Context,
    search: str | None = typer.Option(None, "--search", help="Text in the claim, headline, publisher or URL."),
    rating: str | None = typer.Option(None, "--rating", help=f"One of {', '.join(RATINGS)}."),
    limit: int = typer.Option(50, "--limit", min=1),
    as_json: bool = typer.Option(False, "--json", help="JSON output."),
) -> None:
    """List fact-checks, newest first."""
    app_ctx = context_of(ctx)
    app_ctx.require_database()
    with app_ctx.read_sessions() as session:
        rows = [_fact_check_dict(r) for r in factchecks.list_fact_checks(session, search=search, rating=rating, limit=limit)]
    if as_json:
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    table = Table("id", "rating", "published", "lang", "publisher", "claim")
    for r in rows:
        table.add_row(str(r["id"]), r["rating"], (r["published_at"] or "")[:10], r["language"] or "-",
                      r["publisher"], r["claim"][:90])
    Console(width=200).print(table)


@factchecks_app.command("show")
def show(ctx: typer.Context, fact_check: str = typer.Argument(..., help="Fact-check id.")) -> None:
    """Show one fact-check and the items it matched."""
    app_ctx = context_of(ctx)
    app_ctx.require_database()
    with app_ctx.read_sessions() as session:
        data = _fact_check_dict(factchecks.get_fact_check(session, fact_check))
        data["matches"] = [
            {"item_id": m.item_id, "similarity": round(m.similarity, 4), "sentence": m.sentence,
             "sentence_start": m.sentence_start, "sentence_end": m.sentence_end}
            for m in claim_matches.matches_for_fact_check(session, data["id"])
        ]
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


@factchecks_app.command("remove")
def remove(
    ctx: typer.Context,
    fact_check: str = typer.Argument(..., help="Fact-check id."),
    yes: bool = typer.Option(False, "--yes", help="Do not ask."),
) -> None:
    """Remove a fact-check and its matches; the signal of the items it matched is updated."""
    app_ctx = context_of(ctx)
    app_ctx.require_database()
    if not yes:
        typer.confirm(f"Remove fact-check {fact_check} and its matches?", abort=True)
    matcher = _matcher(app_ctx, None)
    with storage.transaction(app_ctx.sessions) as session:
        affected = factchecks.remove_fact_check(session, fact_check, actor_name())
        refresh_claim_signals(session, affected, matcher.threshold, app_ctx.settings.classifier.match_support_min_score)
    typer.echo(f"Removed fact-check {fact_check} ({len(affected)} matched item(s) updated).")


def _matcher(app_ctx: AppContext, encoder_fingerprint: str | None) -> Matcher:
    settings = app_ctx.settings
    try:
        return load_matcher(settings.classifier, settings.model_dir, encoder_fingerprint)
    except StageTwoError as exc:
        raise EnvironmentProblem(str(exc)) from exc


def _encoder(app_ctx: AppContext):
    from classifier.encoding import BaseModelError, Encoder
    from classifier.scoring import ensure_base_model

    try:
        return Encoder.from_folder(ensure_base_model(app_ctx.settings), app_ctx.settings.classifier)
    except (BaseModelError, OSError, ValueError) as exc:
        raise EnvironmentProblem(f"cannot load the encoder: {exc}") from exc


@match_app.callback()
def match(ctx: typer.Context) -> None:
    """Match every item classified but not yet matched, and every new fact-check against recent items."""
    if ctx.invoked_subcommand is not None:
        return
    app_ctx = context_of(ctx)
    app_ctx.require_database()
    encoder = _encoder(app_ctx)
    matcher = _matcher(app_ctx, encoder.fingerprint)
    with progress_bar("Matching") as (advance, set_total):
        report = run_matching(app_ctx.sessions, encoder, app_ctx.settings.classifier, matcher,
                              advance=advance, set_total=set_total)
    typer.echo(
        f"Matched {report.items_matched} item(s) against {report.claims_in_window} fact-check claim(s) "
        f"({matcher.stages} stage(s), threshold {matcher.threshold:.3f}); {report.items_with_matches} with matches, {report.matches_stored} match(es) "
        f"stored, {report.items_raised} item(s) flagged by a debunk; {report.claims_encoded} claim(s) encoded; "
        f"{report.new_claims_matched} new fact-check(s) checked against {report.recent_items_checked} recent item(s)."
    )


@match_app.command("calibrate")
def calibrate_command(
    ctx: typer.Context,
    target_precision: float = typer.Option(DEFAULT_TARGET_PRECISION, "--target-precision", min=0.5, max=0.999),
    output_dir: Path | None = typer.Option(None, "--model-dir", help="Write under this models folder."),
) -> None:
    """Train the claim matcher's second stage on the shipped pair set and background news, its
    threshold chosen on claims held out; writes claim-matching/stage-two.json."""
    app_ctx = context_of(ctx)
    try:
        pair_set = load_pair_set()
        background = training_background()
    except (OSError, ValueError, KeyError) as exc:
        raise EnvironmentProblem(f"cannot read the claim pair set: {exc}") from exc
    encoder = _encoder(app_ctx)
    corpus = build_corpus(pair_set, encoder.encode, background,
                          split=lambda text: [text[a:b] for a, b in split_sentences(text)])
    model, _ = train_stage_two(corpus, encoder.fingerprint, pair_set.fingerprint, target_precision=target_precision)
    path = write_stage_two(model, output_dir or app_ctx.settings.model_dir)
    typer.echo(json.dumps({"threshold": round(model.threshold, 4), **model.metadata, "written_to": str(path)},
                          indent=2, ensure_ascii=False))
