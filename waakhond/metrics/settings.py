"""The metrics section of the settings (``WAAKHOND_METRICS__*``)."""

from __future__ import annotations

from pydantic import BaseModel, Field

#: The port registered for Waakhond in Prometheus' default-port list would be a guess; this
#: one is free on common setups and documented in docs/deploying.md and docker/compose.yaml.
DEFAULT_METRICS_PORT = 9464


class MetricsSettings(BaseModel):
    enabled: bool = Field(False, description="Serve Prometheus metrics on /metrics (service, scheduler, workers).")
    host: str = Field("127.0.0.1", description="Address to listen on (0.0.0.0 inside containers).")
    port: int = Field(DEFAULT_METRICS_PORT, ge=1, le=65_535, description="Port of the /metrics endpoint.")
