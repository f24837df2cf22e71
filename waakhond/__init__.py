"""Waakhond: the composition root. It wires the floors below into one program and nothing
imports it.

    cli/            the ``waakhond`` command (``cli.main.run``), one module per command group
    settings        every package's settings section in one ``Settings`` (env, TOML file)
    context         ``AppContext``: the engine and sessions built once from the settings
    pipeline/       the steps (collect, classify, match, aggregates, narratives, alerts), the
                    step list, the one lease rule, ``build_collector``
    service         the embedded runtime: the steps on APScheduler in one process
    workers/        the scale-out runtime: Celery workers and one elected scheduler, same steps
    metrics/        Prometheus metrics of both runtimes
    demo/           the offline demo wing (``waakhond demo``)
    briefing_maker  making and recording one weekly briefing (CLI and the alert rule)
    errors          ``UserError``, the root of the CLI's own errors, and ``exit_code_of``

The face offers the version and the error root; everything else is reached by module, from
the CLI or the tests.
"""

from waakhond.errors import UserError

__version__ = "0.1.0"

__all__ = ["UserError", "__version__"]
