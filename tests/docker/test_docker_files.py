"""docker/ without Docker (it cannot run on the machines this is developed on): the Dockerfile
goes through Docker's own parser (the ``dockerfile`` package wraps BuildKit's Go parser), the
compose files through PyYAML, and every Waakhond command and setting they name through the
real CLI and settings."""

from __future__ import annotations

from pathlib import Path

import dockerfile
import pytest
import yaml

from classifier.settings import ClassifierSettings
from tests.support.cli import invoke
from waakhond.settings import Settings

REPO = Path(__file__).resolve().parents[2]
DOCKER = REPO / "docker"
SERVICES = {"postgres", "redis", "migrate", "scheduler", "fetch-worker", "classify-worker", "match-worker", "dashboard",
            "api"}
WAAKHOND_SERVICES = SERVICES - {"postgres", "redis"}
#: BuildKit's parser splits lines into instructions without judging them; these are the real ones.
INSTRUCTIONS = {"FROM", "RUN", "CMD", "LABEL", "EXPOSE", "ENV", "ADD", "COPY", "ENTRYPOINT", "VOLUME", "USER",
                "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL"}


def compose(name: str = "compose.yaml") -> dict:
    return yaml.safe_load((DOCKER / name).read_text())


def commands() -> list[dockerfile.Command]:
    return list(dockerfile.parse_file(str(DOCKER / "Dockerfile")))


def example_env() -> dict[str, str]:
    pairs = [line.split("=", 1) for line in (DOCKER / "waakhond.env.example").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    return {key.strip(): value.strip() for key, value in pairs}


def test_dockerfile_is_multi_stage_slim_non_root_with_cpu_torch_by_default() -> None:
    parsed = commands()
    assert {c.cmd for c in parsed} <= INSTRUCTIONS
    assert all(len(c.value) >= 2 for c in parsed if c.cmd in ("COPY", "ADD"))  # a source and a target
    stages = [c for c in parsed if c.cmd == "FROM"]
    assert len(stages) >= 2 and stages[0].value[-1] == "build" and stages[-1].value[-1] == "runtime"
    assert all("-slim" in s.value[0] for s in stages)
    runtime = parsed[parsed.index(stages[-1]):]
    users = [c.value[0] for c in runtime if c.cmd == "USER"]
    assert users and users[-1] not in ("root", "0")
    assert any(c.cmd == "COPY" and "--from=build" in c.flags for c in runtime)
    assert not any(c.cmd == "RUN" and "apt-get install" in c.value[0] and "build-essential" in c.value[0]
                   for c in runtime)  # compilers stay in the build stage
    args = {c.value[0].split("=")[0]: c.value[0] for c in parsed if c.cmd == "ARG"}
    assert args["TORCH_VARIANT"] == "TORCH_VARIANT=cpu"
    assert [c.value for c in runtime if c.cmd == "ENTRYPOINT"] == [("waakhond",)]


def test_dockerfile_copies_only_what_exists_in_the_build_context() -> None:
    for command in commands():
        if command.cmd == "COPY" and not any(f.startswith("--from") for f in command.flags):
            for source in command.value[:-1]:
                assert (REPO / source).exists(), command.original


def test_compose_has_every_role_with_health_checks_volumes_and_env_files() -> None:
    spec = compose()
    services = spec["services"]
    assert set(services) == SERVICES
    declared = set(spec["volumes"])
    for name, service in services.items():
        if name != "migrate":  # one-shot: it exits when the schema is current
            assert service["healthcheck"]["test"], name
            assert service["restart"] == "unless-stopped", name
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            assert source in declared, (name, volume)  # named volumes only, no host paths
        if name in WAAKHOND_SERVICES or name == "postgres":
            assert service["env_file"] == ["waakhond.env"], name  # secrets never in the compose file
    for name in WAAKHOND_SERVICES - {"migrate"}:
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert not any("PASSWORD" in str(service.get("environment", {})) for service in services.values())


@pytest.mark.parametrize("service", sorted(WAAKHOND_SERVICES))
def test_compose_commands_are_real_waakhond_commands(service, capsys) -> None:
    argv = list(compose()["services"][service]["command"])
    result = invoke([*argv, "--help"], {}, capsys)  # --help last: unknown options still fail
    assert result.exit_code == 0, result.stderr


def test_the_example_env_file_and_the_compose_environments_are_valid_settings(monkeypatch) -> None:
    env = example_env()
    assert {"POSTGRES_PASSWORD", "WAAKHOND_DATABASE_URL", "WAAKHOND_BROKER_URL", "WAAKHOND_SECRET_KEY"} <= set(env)
    assert f":{env['POSTGRES_PASSWORD']}@postgres:5432/{env['POSTGRES_DB']}" in env["WAAKHOND_DATABASE_URL"]
    monkeypatch.delenv("WAAKHOND_CONFIG", raising=False)
    for override in ("compose.yaml", "compose.gpu.yaml"):
        for service in compose(override)["services"].values():
            for key, value in {**env, **service.get("environment", {})}.items():
                if key.startswith("WAAKHOND_"):
                    monkeypatch.setenv(key, str(value))
            settings = Settings()
            assert settings.broker_url == "redis://redis:6379/0"


def test_gpu_override_builds_cuda_torch_and_reserves_a_gpu_for_the_classify_worker() -> None:
    services = compose("compose.gpu.yaml")["services"]
    assert set(services) == {"classify-worker"}
    worker = services["classify-worker"]
    assert worker["build"]["args"]["TORCH_VARIANT"].startswith("cu")
    assert worker["image"] != compose()["services"]["classify-worker"]["image"]  # the CPU image stays CPU
    devices = worker["deploy"]["resources"]["reservations"]["devices"]
    assert devices[0]["driver"] == "nvidia" and "gpu" in devices[0]["capabilities"]
    assert ClassifierSettings(device=worker["environment"]["WAAKHOND_CLASSIFIER__DEVICE"]).device == "cuda"
