"""The files of a new repository, rendered from the templates in ``files/`` (package data).

``render_scaffold`` returns every file ``thena-workflows init`` writes, in order, as text (or a
link): nothing is written here. The templates are Jinja2 with ``[[ ]]`` and ``[% %]`` as
delimiters, since the files themselves hold ``${var.NAME}``, ``{{context...}}`` and GitHub's
``${{ ... }}``. The JSON Schemas are rendered from the installed models, like
``scripts/generate-schema`` does for this repository.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any

import jinja2

from pulumi_thena.client import DEFAULT_BASE_URL
from pulumi_thena.definitions import project_schemas
from pulumi_thena.definitions.export import ExportedFile
from pulumi_thena.emulator.constants import DEFAULT_API_KEY

DISTRIBUTION = "pulumi-thena"
LOCAL_STACK = "local"
LOCAL_URL = "http://127.0.0.1:8787"
LOCAL_ENCRYPTION_SALT = "v1:+l14Vba0tJg=:v1:zZdhVwMS0iUfPotX:mK/1fAXBLmixJrLMB8+v1ZTMfhruPw=="
"""The passphrase ``local``'s salt, made by ``pulumi stack init local`` with that passphrase;
the same as this repository's stacks/Pulumi.local.yaml. It holds no secret: the passphrase is
documented, and only opens the local stack's fake values."""
DEFAULT_ENVS = ("dev", "prod")
DEFAULT_DESCRIPTION = (
    "Thena support workflows as code: one file per workflow in stacks/workflows/, "
    "one stack per environment."
)
STARTER_FILE = "stacks/workflows/high-priority-ping.yaml"
STARTER_TEST_FILE = "stacks/tests/high-priority-ping.yaml"
WORKFLOWS_DIR = "stacks/workflows"
PROJECT_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")
ENV_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
"""A stack name that is also a GitHub job id and environment name."""


class ScaffoldError(ValueError):
    """A project or environment name the scaffold cannot use; the message says which and why."""


def installed_version() -> str:
    """The version of the installed pulumi-thena, which a new repository pins."""
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:  # pragma: no cover - the package runs installed
        raise ScaffoldError(
            f"{DISTRIBUTION} is not installed (no distribution metadata); install it with pip "
            "so that the new repository can pin its version"
        ) from None


@dataclass(frozen=True)
class ScaffoldFile:
    """One file of the new repository: its path (POSIX, relative) and text, or a link target."""

    path: str
    text: str = ""
    link: str | None = None


@dataclass(frozen=True)
class ScaffoldOptions:
    """What varies between two new repositories."""

    project: str
    envs: tuple[str, ...] = DEFAULT_ENVS
    version: str = field(default_factory=installed_version)
    description: str = DEFAULT_DESCRIPTION
    for_pulumi_new: bool = False
    """The ``pulumi new`` template: ``${PROJECT}``/``${DESCRIPTION}`` left for Pulumi to fill,
    a ``template:`` section, and no ``stacks/.venv`` link (``pulumi new`` cannot copy one)."""

    def __post_init__(self) -> None:
        check_names(self.project, self.envs, placeholder=self.for_pulumi_new)


def parse_envs(text: str) -> tuple[str, ...]:
    """``dev,prod`` -> ``("dev", "prod")``; spaces around names are ignored."""
    return tuple(part.strip() for part in text.split(",") if part.strip())


def check_names(project: str, envs: Sequence[str], *, placeholder: bool = False) -> None:
    """ScaffoldError unless the project and environment names can be used as given."""
    if not placeholder and not PROJECT_NAME.match(project):
        raise ScaffoldError(
            f"'{project}' is not a Pulumi project name (letters, digits, '_', '.', '-'; at most "
            "100); pass --project NAME"
        )
    if not envs:
        raise ScaffoldError("--env names no environment; give at least one, e.g. --env dev,prod")
    for env in envs:
        if env == LOCAL_STACK:
            raise ScaffoldError(
                "--env: 'local' is the emulator's stack, which every repository has; name only "
                "the real environments (e.g. --env dev,prod)"
            )
        if not ENV_NAME.match(env):
            raise ScaffoldError(
                f"--env: '{env}' cannot name a stack and a CI environment; use lower-case "
                "letters, digits, '-' and '_', starting with a letter"
            )
    repeated = sorted({env for env in envs if envs.count(env) > 1})
    if repeated:
        raise ScaffoldError(f"--env names {', '.join(repeated)} more than once; name each once")


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("pulumi_thena.scaffold", "files"),
        block_start_string="[%",
        block_end_string="%]",
        variable_start_string="[[",
        variable_end_string="]]",
        comment_start_string="[#",
        comment_end_string="#]",
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # YAML, Markdown and Python, never HTML
    )


def _role(envs: Sequence[str], index: int) -> str:
    """What one environment's stack is in the promotion chain, for its stack file's header."""
    env, count = envs[index], len(envs)
    if count == 1:
        return (
            f'Deployed on every merge to main, after an approval (GitHub environment "{env}" '
            "with required reviewers)."
        )
    if index == 0:
        return "Deployed on every merge to main."
    if index < count - 1:
        return (
            f"The commit that is in {envs[index - 1]} is promoted here, then to {envs[index + 1]}."
        )
    return (
        f"Deployed from the commit that passed {envs[index - 1]}, after an approval "
        f'(GitHub environment "{env}").'
    )


def render_scaffold(
    options: ScaffoldOptions, adopted: Sequence[ExportedFile] | None = None
) -> list[ScaffoldFile]:
    """Every file of the new repository, in the order they are checked and written.

    With ``adopted`` (``--from-org``), ``stacks/workflows/`` holds those files instead of the
    starter workflow, and the stacks define none of the starter's variables.
    """
    env = _environment()
    starter = adopted is None
    context: dict[str, Any] = {
        "project": "${PROJECT}" if options.for_pulumi_new else options.project,
        "description": "${DESCRIPTION}"
        if options.for_pulumi_new
        else _yaml_string(options.description),
        "envs": list(options.envs),
        "version": options.version,
        "starter": starter,
        "for_pulumi_new": options.for_pulumi_new,
        "local_url": LOCAL_URL,
        "local_key": DEFAULT_API_KEY,
        "local_salt": LOCAL_ENCRYPTION_SALT,
        "api_url": DEFAULT_BASE_URL,
    }

    def text(template: str, **extra: Any) -> str:
        return env.get_template(template).render(**context, **extra)

    files = [
        ScaffoldFile("Pulumi.yaml", text("Pulumi.yaml.j2")),
        ScaffoldFile("requirements.txt", text("requirements.txt.j2")),
        ScaffoldFile("README.md", text("README.md.j2")),
        ScaffoldFile(".gitignore", text("gitignore.j2")),
        ScaffoldFile(".github/workflows/thena-workflows.yml", text("pipeline.yml.j2")),
        ScaffoldFile("stacks/__main__.py", text("main.py.j2")),
        *(ScaffoldFile(name, text) for name, text in project_schemas().items()),
        ScaffoldFile(f"stacks/Pulumi.{LOCAL_STACK}.yaml", text("Pulumi.local.yaml.j2")),
    ]
    for index, name in enumerate(options.envs):
        stack_file = text(
            "Pulumi.env.yaml.j2",
            env=name,
            role=_role(options.envs, index),
            guarded=index == len(options.envs) - 1,
        )
        files.append(ScaffoldFile(f"stacks/Pulumi.{name}.yaml", stack_file))
    if adopted is None:
        files.append(ScaffoldFile(STARTER_FILE, text("starter.yaml.j2")))
        files.append(ScaffoldFile(STARTER_TEST_FILE, text("starter-test.yaml.j2")))
    elif adopted:
        files += [ScaffoldFile(f"{WORKFLOWS_DIR}/{f.filename}", f.text) for f in adopted]
    else:  # nothing to adopt: the folder still exists, for the first file of the team's own
        files.append(ScaffoldFile(f"{WORKFLOWS_DIR}/.gitkeep"))
    if not options.for_pulumi_new:
        files.append(ScaffoldFile("stacks/.venv", link="../.venv"))
    return files


def _yaml_string(value: str) -> str:
    """A YAML double-quoted scalar (a JSON string is one)."""
    return json.dumps(value, ensure_ascii=False)
