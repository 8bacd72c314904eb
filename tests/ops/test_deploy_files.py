"""The compose set, its entry point and the README agree with the code."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml

BASE_DIR = Path(__file__).resolve().parents[2]
DOCKER = BASE_DIR / "docker"


def settings_variables() -> set[str]:
    source = (BASE_DIR / "console" / "settings.py").read_text()
    return set(re.findall(r'env_\w+\(\s*"([A-Z][A-Z0-9_]*)"', source))


def entrypoint_variables() -> set[str]:
    source = (DOCKER / "entrypoint.sh").read_text()
    return set(re.findall(r"\$\{([A-Z][A-Z0-9_]*):-", source))


def documented_variables() -> set[str]:
    readme = (BASE_DIR / "README.md").read_text()
    return set(re.findall(r"^\| `([A-Z][A-Z0-9_]*)` \|", readme, flags=re.MULTILINE))


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((DOCKER / "compose.yaml").read_text())


def test_settings_read_the_variables_the_readme_expects():
    # Guards the reader regex itself: these three are certainly read.
    assert {"DEBUG", "SECRET_KEY", "DATABASE_URL"} <= settings_variables()


def test_readme_documents_every_variable_read():
    read = settings_variables() | entrypoint_variables()
    assert read - documented_variables() == set()
    assert documented_variables() - read == set()


def test_env_example_sets_only_known_variables():
    example = (DOCKER / "env.example").read_text()
    names = set(re.findall(r"^([A-Z][A-Z0-9_]*)=", example, flags=re.MULTILINE))
    # POSTGRES_PASSWORD is for the postgres image, through the compose file.
    known = settings_variables() | entrypoint_variables() | {"POSTGRES_PASSWORD"}
    assert names - known == set()
    assert {"SECRET_KEY", "PSEUDONYM_KEY", "DATABASE_URL", "REDIS_URL"} <= names


def test_every_service_has_a_health_check(compose):
    services = compose["services"]
    assert set(services) == {"postgres", "redis", "web", "worker", "beat"}
    for name, service in services.items():
        assert service["healthcheck"]["test"], name


def test_app_services_use_roles_the_entrypoint_knows(compose):
    entrypoint = (DOCKER / "entrypoint.sh").read_text()
    roles = set(re.findall(r"^(\w+)\)$", entrypoint, flags=re.MULTILINE))
    dockerfile = (DOCKER / "Dockerfile").read_text()

    assert 'ENTRYPOINT ["/app/docker/entrypoint.sh"]' in dockerfile
    for name in ("web", "worker", "beat"):
        assert compose["services"][name]["command"][0] in roles
    assert compose["services"]["beat"]["deploy"]["replicas"] == 1


@pytest.mark.parametrize(
    ("shell", "script"),
    [("bash", BASE_DIR / ".ci" / "run"), ("sh", DOCKER / "entrypoint.sh")],
)
def test_scripts_parse(shell, script):
    result = subprocess.run([shell, "-n", str(script)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_entrypoint_refuses_an_unknown_role():
    result = subprocess.run(
        ["sh", str(DOCKER / "entrypoint.sh"), "scheduler"],
        capture_output=True,
        text=True,
        cwd=BASE_DIR,
    )
    assert result.returncode == 64
    assert "usage: entrypoint.sh web|worker|beat|manage" in result.stderr
