"""Every bad file is rejected by `thena-workflows validate` and by `pulumi preview`, clearly.

The whole corpus runs once (see ``corpus_checks.py``); each file is then its own test.
"""

from __future__ import annotations

import pytest

from tests.reliability.corpus import corpus
from tests.reliability.corpus_checks import CorpusReport, check_corpus

pytestmark = pytest.mark.e2e

FILES = [bad.name for bad in corpus()]


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory, pulumi_binary: str) -> CorpusReport:
    return check_corpus(tmp_path_factory.mktemp("corpus"), pulumi_binary)


def test_the_corpus_has_a_file_for_each_kind_of_mistake() -> None:
    files = corpus()
    assert len(files) >= 40
    assert len({bad.content for bad in files}) == len(files)
    assert all(bad.stem.replace("-", "").isalnum() for bad in files)


@pytest.mark.parametrize("name", FILES)
def test_each_file_is_rejected_clearly(name: str, report: CorpusReport) -> None:
    [verdict] = [v for v in report.verdicts if v.bad.name == name]
    assert verdict.problems == [], verdict


def test_no_write_no_traceback_no_key_anywhere(report: CorpusReport) -> None:
    assert report.problems == []
