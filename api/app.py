"""The FastAPI app: ``/api/v1`` (JSON and the Atom feed), OpenAPI at ``/api/v1/openapi.json``,
interactive docs at ``/api/v1/docs``. Built from an ``ApiContext`` (``waakhond`` wires it)."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from api import routes_feed, routes_reference, routes_signals
from api.context import ApiContext
from api.cursor import CursorError
from api.params import BadParameter, control_character_in
from api.rate_limit import RateLimiter
from api.schemas import Problem
from api.usage import UsageTracker
from storage import InvalidInput

PREFIX = "/api/v1"
API_VERSION = "1.0"

DESCRIPTION = """Read-only access to Waakhond's signals, narratives, trends, fact-checks and sources.

Every request carries an API token (`Authorization: Bearer wkh_...`, created by an admin with
`waakhond tokens add NAME --role viewer|analyst`). Viewer tokens read everything but analysts'
labels; analyst tokens read the labels too. Waakhond does not decide what is true: a signal is
a calibrated score with its evidence, and people decide.
"""


def create_app(ctx: ApiContext) -> FastAPI:
    app = FastAPI(
        title="Waakhond API", version=API_VERSION, description=DESCRIPTION,
        openapi_url=f"{PREFIX}/openapi.json", docs_url=f"{PREFIX}/docs", redoc_url=None,
    )
    app.state.ctx = ctx
    app.state.limiter = RateLimiter(ctx.settings.rate_per_minute, ctx.settings.rate_burst)
    app.state.usage = UsageTracker(ctx.settings.last_used_interval_seconds)
    problems = {code: {"model": Problem} for code in (400, 401, 429)}
    for module in (routes_signals, routes_reference, routes_feed):
        app.include_router(module.router, prefix=PREFIX, responses=problems)

    @app.middleware("http")
    async def refuse_control_characters(request: Request, call_next):
        if control_character_in([v for _, v in request.query_params.multi_items()]):
            return JSONResponse({"detail": "query parameters must not contain control characters"}, status_code=400)
        return await call_next(request)

    @app.get(f"{PREFIX}/health", tags=["health"], summary="Liveness (no token needed, no data)",
             responses={400: {"model": Problem}})
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.exception_handler(BadParameter)
    @app.exception_handler(CursorError)
    @app.exception_handler(InvalidInput)
    async def bad_parameter(request: Request, exc: ValueError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=400)

    return app
