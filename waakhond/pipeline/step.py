"""The step type: what a pipeline step is (``PipelineStep``) and what it gets (``StepContext``).

Both runtimes, the embedded service and the Celery workers, build a ``StepContext`` and call
``step.run(context)``; neither decides anything about a step beyond its lease.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from collector import Collector
from waakhond.context import AppContext


@dataclass
class StepContext:
    """What a step gets: the app (settings, engine, sessions), the shared collector, and the
    stop signals (``stopping`` for threads, ``async_stopping`` for coroutines)."""

    app: AppContext
    worker: str
    collector: Collector
    stopping: threading.Event
    async_stopping: asyncio.Event
    last_results: dict[str, Any] = field(default_factory=dict)


StepFunction = Callable[[StepContext], None] | Callable[[StepContext], Awaitable[Any]]


@dataclass(frozen=True)
class PipelineStep:
    name: str
    run: StepFunction
    interval_seconds: float
    exclusive: bool = True  # one process at a time (named lease); False for self-leasing steps
