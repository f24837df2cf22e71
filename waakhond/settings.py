"""One typed settings object for the whole service.

Sources, strongest first: init arguments, environment (``WAAKHOND_*``, sections joined with
``__``, e.g. ``WAAKHOND_COLLECTOR__ALLOW_NETWORKS='["127.0.0.0/8"]'``), then an optional TOML
file (``./waakhond.toml``, or the path in ``WAAKHOND_CONFIG``), then the defaults below.

Each package owns its section model; this module only nests them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from alerts import AlertSettings
from api import ApiSettings
from briefing import BriefingSettings
from classifier import ClassifierSettings, NarrativeSettings
from collector import CollectorSettings
from dashboard import DashboardSettings
from storage import StorageSettings
from waakhond.metrics.settings import MetricsSettings
from waakhond.pipeline_settings import PipelineSettings
from waakhond.workers.settings import ScaleSettings

CONFIG_ENV = "WAAKHOND_CONFIG"
DEFAULT_CONFIG_FILE = Path("waakhond.toml")
_PROJECT_ROOT = Path(__file__).resolve().parent.parent


def default_model_dir() -> Path:
    """The checkout's ``models/`` folder (committed heads live there), else ``./models``."""
    shipped = _PROJECT_ROOT / "models"
    return shipped if shipped.is_dir() else Path("models")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="WAAKHOND_",
        env_nested_delimiter="__",
        extra="forbid",
        validate_default=True,
    )

    data_dir: Path = Field(Path("var"), description="Database, prepared models, caches and logs.")
    database_url: str = Field(
        "", description="SQLAlchemy URL. Empty: SQLite at <data_dir>/waakhond.db."
    )
    model_dir: Path = Field(default_factory=default_model_dir, description="Model versions (heads).")
    broker_url: str | None = Field(None, description="redis://... enables Celery workers (scale-out).")
    secret_key: SecretStr = Field(
        SecretStr(""), description="Signs dashboard sessions. Empty: generated once under data_dir."
    )
    log_level: str = Field("INFO", pattern="^(DEBUG|INFO|WARNING|ERROR)$")
    log_format: str = Field("console", pattern="^(console|json)$")

    storage: StorageSettings = Field(default_factory=StorageSettings)
    collector: CollectorSettings = Field(default_factory=CollectorSettings)
    classifier: ClassifierSettings = Field(default_factory=ClassifierSettings)
    dashboard: DashboardSettings = Field(default_factory=DashboardSettings)
    narratives: NarrativeSettings = Field(default_factory=NarrativeSettings)
    alerts: AlertSettings = Field(default_factory=AlertSettings)
    briefing: BriefingSettings = Field(default_factory=BriefingSettings)
    pipeline: PipelineSettings = Field(default_factory=PipelineSettings)
    metrics: MetricsSettings = Field(default_factory=MetricsSettings)
    scale: ScaleSettings = Field(default_factory=ScaleSettings)
    api: ApiSettings = Field(default_factory=ApiSettings)

    @model_validator(mode="after")
    def _derive_database_url(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / 'waakhond.db'}"
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_path = Path(os.environ.get(CONFIG_ENV, DEFAULT_CONFIG_FILE))
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if toml_path.is_file():
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=toml_path))
        elif CONFIG_ENV in os.environ:
            raise FileNotFoundError(f"{CONFIG_ENV} points to a missing file: {toml_path}")
        return tuple(sources)

    @property
    def base_model_path(self) -> Path:
        """Where the base encoder folder is (or will be prepared)."""
        explicit = self.classifier.base_model_path
        return explicit if explicit else self.data_dir / "models" / "base" / self.classifier.base_model_name


SECRET_MARKERS = ("password", "secret", "token", "key")


def masked(settings: Settings) -> dict[str, Any]:
    """The effective settings as plain data, with secrets and URL passwords masked."""
    from sqlalchemy.engine import make_url

    data = settings.model_dump(mode="json")

    def walk(node: Any, key: str = "") -> Any:
        if isinstance(node, dict):
            return {k: walk(v, k) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v, key) for v in node]
        if isinstance(node, str) and node and any(m in key.lower() for m in SECRET_MARKERS):
            return "********"
        if isinstance(node, str) and key.endswith("_url") and "@" in node:
            try:
                return make_url(node).render_as_string(hide_password=True)
            except Exception:  # not a SQLAlchemy URL (e.g. redis://): mask the userinfo part
                scheme, _, rest = node.partition("://")
                return f"{scheme}://***@{rest.rpartition('@')[2]}"
        return node

    return walk(data)
