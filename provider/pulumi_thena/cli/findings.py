"""What ``doctor`` reports: one finding per checked assumption, and how lists came back.

Shared by the read-only checks (``cli.doctor``) and the write probe (``cli.probe``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from pulumi_thena.client import RawResponse
from pulumi_thena.client.assumptions import LIST_ENVELOPE_KEYS


class Verdict(StrEnum):
    HELD = "held"
    NOT_HELD = "did not hold"
    NOT_CHECKED = "not checked"


@dataclass(frozen=True)
class Finding:
    """One assumption, what was checked, and what came back."""

    assumption: str
    check: str
    verdict: Verdict
    detail: str = ""

    def to_json(self) -> dict[str, str]:
        return {
            "assumption": self.assumption,
            "check": self.check,
            "verdict": self.verdict.value,
            "detail": self.detail,
        }


@dataclass
class DoctorReport:
    """Every finding, in the order the checks ran."""

    api_url: str
    findings: list[Finding] = field(default_factory=list)
    api_paths: dict[str, str] | None = None
    """With ``--discover``: the ``thena:apiPaths`` the service's OpenAPI asks for ({}: none)."""

    @property
    def ok(self) -> bool:
        return all(f.verdict is not Verdict.NOT_HELD for f in self.findings)

    def counts(self) -> dict[str, int]:
        return {v.value: sum(f.verdict is v for f in self.findings) for v in Verdict}

    def to_json(self) -> dict[str, Any]:
        return {
            "apiUrl": self.api_url,
            "ok": self.ok,
            "summary": self.counts(),
            "findings": [finding.to_json() for finding in self.findings],
            "apiPaths": self.api_paths,
        }

    def add(self, assumption: str, check: str, held: bool | None, detail: str = "") -> None:
        if held is None:
            verdict = Verdict.NOT_CHECKED
        else:
            verdict = Verdict.HELD if held else Verdict.NOT_HELD
        self.findings.append(Finding(assumption, check, verdict, detail))


def ok(answer: RawResponse) -> bool:
    return 200 <= answer.status < 300


def envelope_kind(body: Any) -> str:
    """How a list came back: ``bare``, ``data``/``items``/``results``, ``object`` or ``other``."""
    if isinstance(body, list):
        return "bare"
    if isinstance(body, dict):
        for key in LIST_ENVELOPE_KEYS:
            if isinstance(body.get(key), list):
                return key
        return "object"
    return "other"


def list_items(answer: RawResponse) -> list[Any]:
    """The items of a list answer in any envelope the client accepts; [] for anything else."""
    kind = envelope_kind(answer.body)
    if kind == "bare":
        return list(answer.body)
    if kind in LIST_ENVELOPE_KEYS:
        return list(answer.body[kind])
    return []


def string_values(items: list[Any], key: str) -> list[str]:
    """``item[key]`` of every object item where it is a non-empty string, in order."""
    return [
        item[key]
        for item in items
        if isinstance(item, dict) and isinstance(item.get(key), str) and item[key]
    ]
