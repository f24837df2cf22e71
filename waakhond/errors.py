"""Errors the CLI turns into one line and a meaningful exit code.

Every package has one error root (``StorageError``, ``AlertsError``, ``UserError`` here, ...);
``exit_code_of`` says which exit code the CLI gives each. An error it does not know is a bug:
the CLI lets it through with its traceback.
"""

from __future__ import annotations

import pydantic

from alerts import AlertsError
from api import ApiError
from briefing import BriefingError
from classifier import ClassifierError
from collector import CollectorError
from dashboard import DashboardError
from storage import StorageError

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


#: Package roots whose errors are a user's mistake (bad input, unknown id), beside ``UserError``.
USAGE_ROOTS: tuple[type[BaseException], ...] = (StorageError, AlertsError, pydantic.ValidationError)


#: Package roots whose errors the commands translate where a user can act on them; one that
#: still reaches the CLI is a failed job or a bug, and is let through (its traceback, exit code 1).
FAILED_ROOTS: tuple[type[BaseException], ...] = (
    ApiError, BriefingError, ClassifierError, CollectorError, DashboardError,
)


def exit_code_of(error: BaseException) -> int | None:
    """The CLI's exit code for ``error``; None when it is none of the house's errors."""
    if isinstance(error, UserError):
        return error.exit_code
    if isinstance(error, USAGE_ROOTS):
        return EXIT_USAGE
    if isinstance(error, FAILED_ROOTS):
        return EXIT_FAILED
    return None
