"""Listing every workflow of E7 page by page, whatever the page base, cap and order (U-12, U-24).

Neither the base of ``page`` nor a cap on ``limit`` is documented, and a wrong guess loses
workflows: a 0-based server asked for page 1 first never shows its first page, and a server that
caps ``limit`` below what we ask serves full pages shorter than asked. So:

- **The page base** is learned on a client's first listing, which starts at page 0 and asks for
  page 1 as well. Page 0 refused (400/422) or empty while page 1 is not: the base is 1. Page 1
  holding page 0's first workflow (a 1-based server serving page 0 as page 1): the base is 1.
  Otherwise it is 0. Later listings of the same client start at that base. An empty org teaches
  nothing; the next listing detects again.
- **The last page** is an empty page, or a page shorter than the server's page size, which is
  the length of the listing's first page when a second page has anything in it. A first page
  shorter than asked is never taken for the last: the next page is asked for.
- **Each workflow once**, whatever the order: a workflow created meanwhile shifts the others
  from one page to the next (newest first), and a workflow seen before is not yielded again.
- **A server that ignores paging** (a page whose first workflow opened the previous page too)
  ends the listing with a warning; ``MAX_PAGES`` bounds one that never stops.

Calls for ``n`` workflows at a served page size ``s``: 1 when ``n == 0``, else
``max(2, n // s + 1)``; plus 1 on a client's first listing when the server is 1-based or the
org is empty (``benchmarks/floors.py`` ``list_pages``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Generator, Iterator

from pulumi_thena.client.assumptions import MAX_PAGES, PAGE_BASES
from pulumi_thena.client.errors import InvalidInputError, UnexpectedResponseError
from pulumi_thena.models import Workflow

logger = logging.getLogger("pulumi_thena.client")

FetchPage = Callable[[int], list[Workflow]]
"""One page of E7 by its number; InvalidInputError when the server refuses the number."""


class PageBase:
    """The page base one client has learned (None until a listing tells it); thread-safe."""

    def __init__(self, base: int | None = None) -> None:
        if base is not None and base not in PAGE_BASES:
            raise ValueError(f"a page base is one of {PAGE_BASES}, got {base!r}")
        self._base = base
        self._lock = threading.Lock()

    @property
    def known(self) -> int | None:
        with self._lock:
            return self._base

    def learn(self, base: int) -> None:
        with self._lock:
            if self._base is None:
                logger.debug("E7 pages are %d-based", base)
            self._base = base


class WorkflowPages(Iterator[Workflow]):
    """Workflows of E7, page by page, each yielded once; ``pages_fetched`` counts the calls."""

    def __init__(self, fetch: FetchPage, route: str, base: PageBase) -> None:
        self.pages_fetched = 0
        self._fetch = fetch
        self._route = route
        self._base = base
        self._items = self._walk()

    def __iter__(self) -> WorkflowPages:
        return self

    def __next__(self) -> Workflow:
        return next(self._items)

    def _walk(self) -> Iterator[Workflow]:
        seen: set[str] = set()
        served: int | None = None  # the length of the listing's first page
        for items in self._pages():
            if not items:
                return
            for workflow in items:
                if workflow.unique_identifier not in seen:
                    seen.add(workflow.unique_identifier)
                    yield workflow
            if served is None:
                served = len(items)  # full, unless the next page is empty
            elif len(items) < served:
                return

    def _pages(self) -> Generator[list[Workflow], None, None]:
        """Each page to walk, in order, from the known base or after detecting it."""
        base = self._base.known
        if base is None:
            previous = yield from self._detect()
            if previous is None:
                return
            start = 2
        else:
            previous, start = None, base
        for number in range(start, start + MAX_PAGES):
            items = self._get(number)
            if items and previous and items[0].unique_identifier == previous[0].unique_identifier:
                logger.warning(
                    "%s ignores paging: page %d repeats the one before", self._route, number
                )
                return
            yield items
            previous = items
        method, _, path = self._route.partition(" ")
        raise UnexpectedResponseError(method, path, f"still full pages after {MAX_PAGES} pages")

    def _detect(self) -> Generator[list[Workflow], None, list[Workflow] | None]:
        """Pages 0 and 1 as they belong to the walk; returns page 1 (None: an empty org).

        The base learned: 1 when page 0 is refused or empty while page 1 is not, or when page 1
        holds page 0's first workflow (page 0 served as page 1); else 0. Page 0's workflows are
        handed on before page 1 is asked for.
        """
        try:
            zero: list[Workflow] | None = self._get(0)
        except InvalidInputError:  # a 1-based server refusing page 0
            zero = None
        if zero:
            yield zero
        one = self._get(1)
        if zero and zero[0].unique_identifier in {w.unique_identifier for w in one}:
            self._base.learn(1)  # page 1 again: the walk goes on at page 2
        elif zero or one:
            self._base.learn(0 if zero else 1)
            yield one
        else:
            return None  # both empty: an empty org, whatever the base
        return one

    def _get(self, number: int) -> list[Workflow]:
        self.pages_fetched += 1
        return self._fetch(number)
