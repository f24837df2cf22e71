"""The ``waakhond`` command: the app, the top-level commands, and one-line error handling.

Command groups live in their own modules (``COMMAND_MODULES``), each with ``register(app)``.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import tomllib
from pathlib import Path

import pydantic
import typer

import storage
from storage import new_revision
from waakhond import __version__
from waakhond.bootstrap import current_revision, initialise_database
from waakhond.cli.main_support import context_of
from waakhond.context import AppContext
from waakhond.errors import EXIT_USAGE, USAGE_ROOTS, UserError
from waakhond.logs import configure_logging
from waakhond.settings import CONFIG_ENV, DEFAULT_CONFIG_FILE, Settings, masked

COMMAND_MODULES = (
    "waakhond.cli.sources_cmd",
    "waakhond.cli.users_cmd",
    "waakhond.demo.command",
    "waakhond.cli.dashboard_cmd",
    "waakhond.cli.collect_cmd",
    "waakhond.cli.factchecks_cmd",
    "waakhond.cli.models_cmd",
    "waakhond.cli.narratives_cmd",
    "waakhond.cli.alerts_cmd",
    "waakhond.cli.scale_cmd",
    "waakhond.cli.briefing_cmd",
    "waakhond.cli.api_cmd",
)

app = typer.Typer(
    name="waakhond",
    help="Waakhond: signals with evidence about disinformation on Dutch government policy.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
db_app = typer.Typer(help="Database schema migrations.", no_args_is_help=True)
config_app = typer.Typer(help="Inspect the effective settings.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(config_app, name="config")


#: A waakhond.toml is a few kilobytes; a larger file is refused before it is parsed.
MAX_CONFIG_BYTES = 1_000_000


def check_config_file(value: str) -> None:
    """The config file named by ``--config`` or WAAKHOND_CONFIG exists, is a file, and is small."""
    if not value.strip():
        raise UserError(f"{CONFIG_ENV} is set but empty: unset it, or name a waakhond.toml")
    path = Path(value)
    if not path.is_file():
        raise UserError(f"config file not found: {path} (from {CONFIG_ENV})")
    if path.stat().st_size > MAX_CONFIG_BYTES:
        raise UserError(f"config file {path} is larger than {MAX_CONFIG_BYTES // 1_000_000} MB: is it the right file?")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"waakhond {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
    config: Path | None = typer.Option(None, "--config", help=f"A waakhond.toml file (or set {CONFIG_ENV})."),
) -> None:
    if config is not None:
        if not config.is_file():
            raise UserError(f"config file not found: {config}")
        os.environ[CONFIG_ENV] = str(config)
    if CONFIG_ENV in os.environ:
        check_config_file(os.environ[CONFIG_ENV])
    try:
        settings = Settings()
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise UserError(f"invalid setting {where}: {first['msg']}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"invalid TOML in the config file {os.environ.get(CONFIG_ENV, DEFAULT_CONFIG_FILE)}: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise UserError(f"the config file {os.environ.get(CONFIG_ENV, DEFAULT_CONFIG_FILE)} is not UTF-8 text") from exc
    configure_logging(settings.log_level, settings.log_format)
    ctx.obj = AppContext(settings)


@app.command()
def init(ctx: typer.Context) -> None:
    """Create the database (SQLite by default) at the latest schema revision, with the policy topics."""
    app_ctx = context_of(ctx)
    before, after = initialise_database(app_ctx)
    where = app_ctx.engine.url.render_as_string(hide_password=True)
    if before == after:
        typer.echo(f"Database already initialised at {where} (revision {after}).")
    else:
        typer.echo(f"Initialised the database at {where} (revision {after}).")


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context, revision: str = typer.Argument("head")) -> None:
    """Apply the schema migrations up to REVISION (default: the latest)."""
    app_ctx = context_of(ctx)
    before = current_revision(app_ctx)
    storage.upgrade(app_ctx.engine, revision)
    after = storage.current_revision(app_ctx.engine)
    typer.echo(f"Database at revision {after} (was {before or 'empty'}).")


@db_app.command("current")
def db_current(ctx: typer.Context) -> None:
    """Print the database's schema revision and the latest one."""
    app_ctx = context_of(ctx)
    typer.echo(f"current: {current_revision(app_ctx) or 'empty'}  head: {storage.head_revision()}")


@db_app.command("revision")
def db_revision(ctx: typer.Context, message: str = typer.Argument(..., help="What the migration changes.")) -> None:
    """(Developers) Write a new migration from the difference between the models and the database."""
    app_ctx = context_of(ctx)
    try:
        path = new_revision(app_ctx.engine, message)
    except RuntimeError as exc:
        raise UserError(str(exc)) from exc
    typer.echo(f"Wrote {path}: review it before committing.")


@config_app.command("show")
def config_show(ctx: typer.Context, as_json: bool = typer.Option(False, "--json", help="JSON output.")) -> None:
    """Print the effective settings, with secrets masked."""
    data = masked(context_of(ctx).settings)
    if as_json:
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    for line in _flatten(data):
        typer.echo(line)


def _flatten(data: dict, prefix: str = "") -> list[str]:
    lines = []
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            lines.extend(_flatten(value, f"{name}."))
        else:
            lines.append(f"{name} = {json.dumps(value, ensure_ascii=False)}")
    return lines


for _module in COMMAND_MODULES:
    importlib.import_module(_module).register(app)


def run(argv: list[str] | None = None) -> None:
    """Entry point: user mistakes become one line on stderr and exit code 2 (3: environment)."""
    try:
        result = app(args=argv, prog_name="waakhond", standalone_mode=False)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        typer.echo("waakhond: aborted", err=True)
        sys.exit(130)
    except typer.TyperException as exc:  # usage errors: unknown command, bad or missing option
        if type(exc).__name__ == "NoArgsIsHelpError":  # the help text has been printed already
            sys.exit(EXIT_USAGE)
        _fail(exc.format_message() if hasattr(exc, "format_message") else str(exc), EXIT_USAGE)
    except UserError as exc:
        _fail(str(exc), exc.exit_code)
    except USAGE_ROOTS as exc:
        _fail((str(exc).splitlines() or [""])[0], EXIT_USAGE)
    except KeyboardInterrupt:
        typer.echo("waakhond: interrupted", err=True)
        sys.exit(130)
    sys.exit(result if isinstance(result, int) else 0)


def _fail(message: str, code: int) -> None:
    one_line = " ".join(message.split())
    typer.echo(f"waakhond: error: {one_line}", err=True)
    sys.exit(code)


if __name__ == "__main__":  # python -m waakhond.cli.main
    run()
