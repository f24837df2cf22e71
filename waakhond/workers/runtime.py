"""What one worker process keeps between tasks. Nothing here is state that matters: a worker
can die at any moment and another one, anywhere, carries on from the database.

    app          settings, engine and sessions (``AppContext``)
    owner        this process's lease owner id (``worker:<host>:<pid>:<random>``)
    collector    one ``Collector`` on its own event loop thread, entered once: the HTTP client,
                 its robots.txt cache and per-host delays are shared by the process's fetch
                 tasks (a threads pool runs several at once)
    stopping     set on worker shutdown; long steps stop between batches
"""

from __future__ import annotations

import asyncio
import inspect
import threading
from collections.abc import Sequence
from typing import Any

from collector import Collector, CollectReport, new_owner_id
from waakhond.context import AppContext
from waakhond.pipeline import PipelineStep, StepContext, build_collector, collect_sources

#: Seconds to wait for the collector's loop thread to start.
LOOP_START_SECONDS = 30


class WorkerRuntime:
    def __init__(self, app: AppContext) -> None:
        self.app = app
        self.owner = new_owner_id("worker")
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_stopping: asyncio.Event | None = None
        self._collector: Collector | None = None

    # --- the collector on its own loop --------------------------------------------------------
    def _start_loop(self) -> None:
        with self._lock:
            if self._loop is not None:
                return
            ready = threading.Event()
            loop = asyncio.new_event_loop()

            def serve() -> None:
                asyncio.set_event_loop(loop)
                self._loop_stopping = asyncio.Event()
                ready.set()
                loop.run_forever()

            threading.Thread(target=serve, name="waakhond-collector-loop", daemon=True).start()
            if not ready.wait(LOOP_START_SECONDS):
                raise RuntimeError("the collector's event loop did not start")
            collector = build_collector(self.app, owner=self.owner)
            asyncio.run_coroutine_threadsafe(collector.__aenter__(), loop).result()
            self._collector, self._loop = collector, loop

    def run_async(self, coroutine_factory) -> Any:
        """Run ``coroutine_factory()`` on the collector's loop and wait for its result."""
        self._start_loop()
        assert self._loop is not None
        return asyncio.run_coroutine_threadsafe(coroutine_factory(), self._loop).result()

    def collect(self, source_ids: Sequence[int], *, only_due: bool = True) -> CollectReport:
        """Fetch these sources (by default only while still due): the fetch task's work."""
        self._start_loop()
        return self.run_async(
            lambda: collect_sources(self._collector, stop=self._loop_stopping, source_ids=source_ids, only_due=only_due)
        )

    # --- pipeline steps ---------------------------------------------------------------------
    def step_context(self) -> StepContext:
        self._start_loop()
        assert self._collector is not None and self._loop_stopping is not None
        return StepContext(self.app, self.owner, self._collector, self.stopping, self._loop_stopping)

    def call_step(self, step: PipelineStep) -> Any:
        """Run a pipeline step's own function, as the embedded service would."""
        context = self.step_context()
        if inspect.iscoroutinefunction(step.run):
            return self.run_async(lambda: step.run(context))
        return step.run(context)

    def close(self) -> None:
        """Stop: steps stop between batches, fetches in flight finish, the HTTP client closes."""
        self.stopping.set()
        with self._lock:
            loop, collector = self._loop, self._collector
            self._loop = self._collector = None
        if loop is None or collector is None:
            return
        if self._loop_stopping is not None:
            loop.call_soon_threadsafe(self._loop_stopping.set)
        asyncio.run_coroutine_threadsafe(collector.__aexit__(None, None, None), loop).result()
        collector.close()
        loop.call_soon_threadsafe(loop.stop)
        self.app.dispose()


_current: WorkerRuntime | None = None
_current_lock = threading.Lock()


def install_runtime(app: AppContext) -> WorkerRuntime:
    """Make ``app`` this process's runtime (the ``waakhond worker`` command does it first)."""
    global _current
    with _current_lock:
        _current = WorkerRuntime(app)
        return _current


def current_runtime() -> WorkerRuntime:
    """This process's runtime; built from the environment's settings when a worker was started
    with plain ``celery -A waakhond.workers.celery_app worker``."""
    global _current
    with _current_lock:
        if _current is None:
            _current = WorkerRuntime(AppContext())
        return _current


def close_runtime() -> None:
    global _current
    with _current_lock:
        runtime, _current = _current, None
    if runtime is not None:
        runtime.close()
