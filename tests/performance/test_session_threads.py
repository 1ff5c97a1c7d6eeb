"""Four host threads share one org listing: lookups must survive the writes of the others.

Found by the benchmark: with N=500 and fast answers, a create's ownership lookup iterated the
shared listing while another thread's create added to it ("dictionary changed size during
iteration"). The listing is now handed out as a snapshot.
"""

from __future__ import annotations

import threading
import time

import httpx

from benchmarks.cpu import registry_transport
from pulumi_thena.client import ThenaClient
from pulumi_thena.models import Workflow
from pulumi_thena.resources import Session, Settings

LISTED = 300
SECONDS = 1.0


def listing_transport() -> httpx.MockTransport:
    """GET /api/v1/workflows: LISTED workflows, 100 a page."""
    everything = [
        {"uniqueIdentifier": f"wf-{i}", "name": f"wf {i}", "metadata": {}} for i in range(LISTED)
    ]

    def answer(request: httpx.Request) -> httpx.Response:
        page, limit = int(request.url.params["page"]), int(request.url.params["limit"])
        return httpx.Response(200, json=everything[(page - 1) * limit : page * limit])

    return httpx.MockTransport(answer)


def test_lookups_and_writes_from_several_threads_at_once() -> None:
    client = ThenaClient(
        "http://org.invalid", "threads", transport=listing_transport(), rate_limit_rps=None
    )
    session = Session(Settings(api_url=client.base_url, api_key="threads"), client)
    session.org()
    errors: list[BaseException] = []
    deadline = time.monotonic() + SECONDS

    def look_up() -> None:
        try:
            while time.monotonic() < deadline:
                session.find_owned("nobody")
        except BaseException as error:  # collected and asserted below
            errors.append(error)

    def write() -> None:
        count = 0
        while time.monotonic() < deadline:
            count += 1
            session.remember(Workflow(unique_identifier=f"new-{count}"))

    threads = [threading.Thread(target=look_up) for _ in range(3)]
    threads.append(threading.Thread(target=write))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(session.org()) > LISTED


def test_the_three_registry_reads_wait_on_the_network_together() -> None:
    """Each answer waits until all three requests are in flight; one after another would fail."""

    served = registry_transport()
    all_in_flight = threading.Barrier(3, timeout=5)

    def answer(request: httpx.Request) -> httpx.Response:
        try:
            all_in_flight.wait()
        except threading.BrokenBarrierError:
            return httpx.Response(500, json={"message": "registry reads came one at a time"})
        return served.handle_request(request)

    client = ThenaClient(
        "http://registry.invalid",
        "registry",
        transport=httpx.MockTransport(answer),
        rate_limit_rps=None,
    )
    session = Session(Settings(api_url=client.base_url, api_key="registry"), client)
    offered = session.registry("team-1")
    assert offered.event_names and offered.activity_versions
