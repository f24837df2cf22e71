"""The venv holds exactly what ``requirements/waakhond.lock`` says (``pip freeze`` against the lock),
plus torch (installed first, from TORCH_SPEC) and the project itself."""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import REPO_ROOT

LOCK = REPO_ROOT / "requirements" / "waakhond.lock"
#: installed but deliberately not in the lock
OUTSIDE_THE_LOCK = {"pip", "torch", "waakhond"}


def locked_versions(lock_text: str) -> dict[str, str]:
    """name -> version for the requirements whose markers hold on this interpreter."""
    pins = {}
    for line in lock_text.splitlines():
        if not line or line[0] in " #-":
            continue
        requirement = Requirement(line.rstrip("\\ ").strip())
        if requirement.marker is not None and not requirement.marker.evaluate():
            continue
        (specifier,) = requirement.specifier
        assert specifier.operator == "==", line
        pins[canonicalize_name(requirement.name)] = specifier.version
    return pins


def installed_versions() -> dict[str, str]:
    return {canonicalize_name(d.metadata["Name"]): d.version for d in metadata.distributions()}


def test_the_venv_holds_exactly_the_locked_versions() -> None:
    locked = locked_versions(LOCK.read_text(encoding="utf-8"))
    installed = {n: v for n, v in installed_versions().items() if n not in OUTSIDE_THE_LOCK}
    missing = {n: v for n, v in locked.items() if n not in installed}
    different = {n: (installed[n], v) for n, v in locked.items() if n in installed and installed[n] != v}
    unlocked = {n: v for n, v in installed.items() if n not in locked}
    assert (missing, different, unlocked) == ({}, {}, {}), "run `make setup` (or `make lock` after changing pyproject.toml)"


def test_markers_choose_one_pin_per_package() -> None:
    lock = 'numpy==2.4.6 ; python_full_version < "3.11" \\\n    --hash=sha256:ab\nnumpy==2.5.5 ; python_full_version >= "3.11"\n'
    assert locked_versions(lock) == {"numpy": "2.5.5"}


def test_every_direct_dependency_of_the_project_is_locked() -> None:
    import tomllib

    project = tomllib.loads(Path(REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = list(project["dependencies"]) + [d for extra in project["optional-dependencies"].values() for d in extra]
    locked = locked_versions(LOCK.read_text(encoding="utf-8"))
    for dependency in wanted:
        requirement = Requirement(dependency)
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{name} is in pyproject.toml but not in the lock: run `make lock`"
        assert requirement.specifier.contains(locked[name], prereleases=True), (name, locked[name])
