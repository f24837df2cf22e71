"""Model versions: a folder with ``head.safetensors`` and ``version.json``, registered in
``model_versions`` (candidate, active or retired; one active version per task).

    version.json = name, task, base encoder (name, fingerprint, prefix, window), calibration,
                   threshold (+ how it was chosen), metrics, training-data fingerprint
    shipped versions live in <model_dir>/<name>/ (committed); trained candidates in
    <data_dir>/models/versions/<name>/ (never committed)
    install_default_versions: register the shipped defaults, activate one per task if none is
    promote: the previous active version is retired; the new one re-scores recent items through
             the pending queue (see ``classifier.scoring.score``), so the service does it in the background
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy.orm import Session, sessionmaker

from classifier.errors import ClassifierError
from classifier.scoring.heads import CalibratedHead, LinearHead, TrainedHead
from classifier.scoring.hybrid import HYBRID_KIND, HybridHead, TrainedHybrid
from classifier.scoring.lexical import LexicalError, LexicalModel
from classifier.settings import ClassifierSettings
from storage import transaction
from storage.repositories import model_versions
from storage.schema import ModelVersion, utcnow

VERSION_FILE = "version.json"
OWN_ENCODER_DIR = "encoder"
FORMAT_VERSION = 1
TASK_DISINFORMATION = "disinformation"
TASK_CHECKWORTHY = "checkworthy"
TASKS = (TASK_DISINFORMATION, TASK_CHECKWORTHY)
SYSTEM_ACTOR = "system"


class VersionError(ClassifierError, ValueError):
    """A model version is missing, broken, or does not fit the encoder in use."""


class AppSettings(Protocol):
    """What the classifier needs of the service's settings (``waakhond.settings.Settings``)."""

    classifier: ClassifierSettings
    model_dir: Path
    data_dir: Path

    @property
    def base_model_path(self) -> Path: ...


@dataclass(frozen=True)
class VersionInfo:
    name: str
    task: str
    base_model: str
    base_fingerprint: str
    text_prefix: str
    content_tokens: int
    threshold: float
    calibration: dict[str, Any]
    metrics: dict[str, Any]
    training: dict[str, Any]
    threshold_rule: dict[str, Any]
    default: bool
    description: str
    created_at: str
    own_encoder: str | None = None  # a sub-folder with the version's own (fine-tuned) encoder
    head: dict[str, Any] = field(default_factory=dict)  # version.json "head": kind, file, parameters

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> VersionInfo:
        if data.get("format") != FORMAT_VERSION:
            raise VersionError(f"unknown version format {data.get('format')!r}")
        base = data["base_model"]
        return cls(
            name=data["name"],
            task=data["task"],
            base_model=base["name"],
            base_fingerprint=base["fingerprint"],
            text_prefix=base.get("text_prefix", ""),
            content_tokens=int(base.get("content_tokens", 0)),
            threshold=float(data["threshold"]),
            calibration=dict(data["calibration"]),
            metrics=dict(data.get("metrics", {})),
            training=dict(data.get("training", {})),
            threshold_rule=dict(data.get("threshold_rule", {})),
            default=bool(data.get("default", False)),
            description=str(data.get("description", "")),
            created_at=str(data.get("created_at", "")),
            own_encoder=base.get("own_encoder"),
            head=dict(data.get("head", {})),
        )


@dataclass(frozen=True)
class LoadedVersion:
    info: VersionInfo
    model: CalibratedHead | HybridHead
    folder: Path


def read_version_info(folder: Path) -> VersionInfo:
    path = Path(folder) / VERSION_FILE
    if not path.is_file():
        raise VersionError(f"no {VERSION_FILE} in {folder}")
    try:
        return VersionInfo.from_json(json.loads(path.read_text(encoding="utf-8")))
    except (KeyError, ValueError, TypeError) as exc:
        raise VersionError(f"broken {path}: {exc}") from exc


def write_version_folder(
    target: Path,
    *,
    name: str,
    task: str,
    trained: TrainedHead | TrainedHybrid,
    encoder,
    training: dict[str, Any],
    default: bool = False,
    description: str = "",
    own_encoder: Path | None = None,
    base_name: str | None = None,
) -> Path:
    """Write head.safetensors + version.json into ``target`` atomically (temp folder, rename).
    ``own_encoder``: a fine-tuned encoder folder, moved into the version (``encoder`` is then
    that encoder, and the version is tied to its fingerprint)."""
    if task not in TASKS:
        raise VersionError(f"unknown task {task!r}: use one of {', '.join(TASKS)}")
    target = Path(target)
    if target.exists():
        raise VersionError(f"{target} exists already: choose another version name")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        trained.model.head.save(tmp)
        if getattr(trained.model, "lexical", None) is not None:  # the hybrid head's second part
            trained.model.lexical.save(tmp)
        if own_encoder is not None:
            shutil.move(str(own_encoder), tmp / OWN_ENCODER_DIR)
        document = {
            "format": FORMAT_VERSION,
            "name": name,
            "task": task,
            "description": description,
            "default": default,
            "created_at": utcnow().isoformat(timespec="seconds"),
            "base_model": {
                "name": base_name or encoder.name,
                "fingerprint": encoder.fingerprint,
                "text_prefix": encoder.settings.text_prefix,
                "content_tokens": encoder.content_budget,
                "pooling": "mean",
                "dim": encoder.dim,
                **({"own_encoder": OWN_ENCODER_DIR} if own_encoder is not None else {}),
            },
            "head": {"file": "head.safetensors", **trained.params},
            "calibration": trained.model.calibration,
            "threshold": trained.model.threshold,
            "threshold_rule": trained.threshold_choice.as_dict(),
            "metrics": trained.metrics,
            "training": training,
        }
        (tmp / VERSION_FILE).write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        for path in [tmp, *tmp.iterdir()]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        os.rename(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


def load_version(folder: Path, encoder=None) -> LoadedVersion:
    """The head of a version; with ``encoder``, refuse a head trained on another encoder."""
    info = read_version_info(folder)
    head = LinearHead.load(folder)
    if encoder is not None:
        if info.base_fingerprint != encoder.fingerprint:
            raise VersionError(
                f"model version {info.name!r} was trained on encoder {info.base_fingerprint[:23]}…, "
                f"but the encoder in use is {encoder.fingerprint[:23]}…: train a new version on this encoder"
            )
        if info.text_prefix != encoder.settings.text_prefix or head.dim != encoder.dim:
            raise VersionError(f"model version {info.name!r} expects text prefix {info.text_prefix!r} and {head.dim}-d embeddings")
    if info.head.get("kind") == HYBRID_KIND:
        try:
            model = HybridHead.from_document(head, LexicalModel.load(folder), info.head, info.calibration, info.threshold)
        except (KeyError, LexicalError) as exc:
            raise VersionError(f"model version {info.name!r}: broken hybrid head: {exc}") from exc
        return LoadedVersion(info, model, Path(folder))
    return LoadedVersion(info, CalibratedHead(head, info.calibration, info.threshold), Path(folder))


_OWN_ENCODERS: dict[tuple[str, str], Any] = {}


def load_version_for(folder: Path, base_encoder):
    """(the version, the encoder it scores with): its own fine-tuned encoder if it has one
    (loaded once per process), else the base encoder."""
    info = read_version_info(folder)
    if not info.own_encoder:
        return load_version(folder, base_encoder), base_encoder
    from classifier.encoding.encoder import Encoder

    key = (str((Path(folder) / info.own_encoder).resolve()), info.base_fingerprint)
    if key not in _OWN_ENCODERS:
        _OWN_ENCODERS[key] = Encoder.from_folder(Path(folder) / info.own_encoder, base_encoder.settings)
    own = _OWN_ENCODERS[key]
    return load_version(folder, own), own


# ---------------------------------------------------------------------------- where versions live
def versions_dir(settings: AppSettings) -> Path:
    """Trained candidates (never committed)."""
    return Path(settings.data_dir) / "models" / "versions"


def stored_path(settings: AppSettings, folder: Path) -> str:
    """Relative to model_dir for shipped versions (portable), else absolute."""
    folder = Path(folder).resolve()
    try:
        return str(folder.relative_to(Path(settings.model_dir).resolve()))
    except ValueError:
        return str(folder)


def resolve_path(settings: AppSettings, path: str) -> Path:
    candidate = Path(path)
    return candidate if candidate.is_absolute() else Path(settings.model_dir) / candidate


def version_folder(settings: AppSettings, row: ModelVersion) -> Path:
    return resolve_path(settings, row.path)


def register_folder(session: Session, settings: AppSettings, folder: Path, *, actor: str, status: str = "candidate") -> ModelVersion:
    info = read_version_info(folder)
    return model_versions.register_model_version(
        session,
        name=info.name,
        task=info.task,
        base_model=info.base_model,
        path=stored_path(settings, folder),
        threshold=info.threshold,
        metrics=info.metrics,
        calibration=info.calibration,
        training_fingerprint=info.training.get("fingerprint"),
        created_by=actor,
        actor=actor,
        status=status,
    )


def shipped_versions(settings: AppSettings) -> list[Path]:
    root = Path(settings.model_dir)
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if (p / VERSION_FILE).is_file())


def install_default_versions(sessions: sessionmaker[Session], settings: AppSettings, actor: str = SYSTEM_ACTOR) -> list[str]:
    """Register every shipped version not registered yet; activate the shipped default of each
    task that has no active version. Idempotent. Returns the names activated."""
    activated = []
    with transaction(sessions) as session:
        for folder in shipped_versions(settings):
            info = read_version_info(folder)
            if model_versions.find_model_version(session, info.name) is None:
                register_folder(session, settings, folder, actor=actor)
        for folder in shipped_versions(settings):
            info = read_version_info(folder)
            if info.default and model_versions.active_model_version(session, info.task) is None:
                model_versions.activate_model_version(session, info.name, actor)
                activated.append(info.name)
    return activated


def version_summary(row: ModelVersion) -> dict[str, Any]:
    """A version as the CLI and the dashboard show it."""
    validation = (row.metrics or {}).get("validation", {})
    return {
        "name": row.name,
        "task": row.task,
        "status": row.status,
        "base_model": row.base_model,
        "threshold": round(row.threshold, 4),
        "created_at": row.created_at.isoformat(timespec="seconds") if row.created_at else None,
        "promoted_at": row.promoted_at.isoformat(timespec="seconds") if row.promoted_at else None,
        "created_by": row.created_by,
        "validation": {k: validation.get(k) for k in ("n", "precision", "recall", "f1", "roc_auc", "pr_auc", "ece")},
    }


def active_version_metadata(session: Session, task: str = TASK_DISINFORMATION) -> dict[str, Any] | None:
    """The active version of ``task`` with its metrics, for the dashboard."""
    row = model_versions.active_model_version(session, task)
    if row is None:
        return None
    summary = version_summary(row)
    summary["metrics"] = row.metrics
    summary["calibration"] = row.calibration
    return summary


def promote(sessions: sessionmaker[Session], name: str, actor: str) -> tuple[str, str | None]:
    """Activate ``name``. Recent items become pending for it, so the next classify run (the
    service's job, or ``waakhond classify``) re-scores them."""
    with transaction(sessions) as session:
        row, previous = model_versions.activate_model_version(session, name, actor)
        return row.name, previous.name if previous else None


def rollback(sessions: sessionmaker[Session], task: str, actor: str) -> tuple[str, str]:
    with transaction(sessions) as session:
        now_active, retired = model_versions.rollback_model_version(session, task, actor)
        return now_active.name, retired.name
