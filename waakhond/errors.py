"""Errors the CLI turns into one line and a meaningful exit code."""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAILED = 1  # the job ran, but part of it failed (e.g. a fetch failed)
EXIT_USAGE = 2  # a user mistake: bad argument, bad input file, unknown id
EXIT_ENVIRONMENT = 3  # the environment is not ready: database not initialised, model missing


class UserError(Exception):
    """A mistake the user can fix; printed as one line, exit code 2."""

    exit_code = EXIT_USAGE


class EnvironmentProblem(UserError):
    """Something must be set up first; printed as one line, exit code 3."""

    exit_code = EXIT_ENVIRONMENT
