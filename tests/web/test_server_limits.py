"""The server under heavy queries: memory bounded per worker, light queries flowing past long ones."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import psutil
import pytest

from kg.web.server import create_app, running
from kg.web.server.pool import WorkerPool

from .test_server import ask

#: grows without bound in pyoxigraph: the sort holds every row of a cube of the store
MEMORY_HOG = "SELECT ?a ?c ?o WHERE { ?a ?b ?c . ?d ?e ?f . ?s ?p ?o } ORDER BY ?c ?f ?o LIMIT 5"
#: runs long in little memory
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
LIGHT = "SELECT ?doc WHERE { ?doc a kg:Document } LIMIT 5"


class PeakMemory:
    """The largest resident size of this process's children (the workers), sampled every 20 ms."""

    def __init__(self):
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self):
        me = psutil.Process()
        while not self._stop.is_set():
            for child in me.children(recursive=True):
                try:
                    self.peak = max(self.peak, child.memory_info().rss / 2**20)
                except psutil.Error:
                    pass
            time.sleep(0.02)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


@pytest.mark.parametrize(
    "limits, bound",
    [
        ({"memory_mb": 256}, 256 + 200),  # the worker's own heap cap (RLIMIT_DATA): it aborts at once
        ({"memory_mb": 4096, "rss_limit_mb": 300}, 300 + 250),  # the pool's watch of its size: 50 ms steps
    ],
    ids=["heap cap", "pool watch"],
)
def test_a_query_that_grows_is_stopped_below_the_bound_and_the_next_one_answered(sample_store, limits, bound):
    app = create_app(sample_store.location, workers=1, query_timeout=30.0, **limits)
    with running(app) as url, PeakMemory() as memory:
        pool = app.state.pool
        start = time.monotonic()
        answer = ask(url, MEMORY_HOG)
        took = time.monotonic() - start
        assert answer.status == 503 and "MiB of memory" in answer.text, answer.text
        assert took < 15, took  # long before the 30 s time limit
        assert pool.restarts == 1
        assert ask(url, LIGHT).status == 200  # a fresh worker
    assert memory.peak < bound, memory.peak


def test_light_queries_flow_while_long_ones_run(sample_store):
    app = create_app(sample_store.location, workers=1, query_timeout=20.0, light_budget=0.5, heavy_slots=1)
    with running(app) as url, ThreadPoolExecutor(2) as background:
        pool = app.state.pool
        assert ask(url, LIGHT).status == 200  # the worker is up
        first = background.submit(ask, url, SLOW)
        deadline = time.monotonic() + 5
        while pool.demotions == 0 and time.monotonic() < deadline:  # past the light budget: demoted
            time.sleep(0.05)
        assert pool.demotions == 1
        times = []
        for _ in range(10):
            start = time.monotonic()
            assert ask(url, LIGHT).status == 200
            times.append(time.monotonic() - start)
        assert max(times) < 3.0, times  # the fresh light worker answers; nothing waits for the long query
        start = time.monotonic()
        second = ask(url, SLOW)  # the heavy lane is full: stopped when it leaves the light budget
        assert second.status == 503 and "already running 1 long query" in second.text, second.text
        assert time.monotonic() - start < 6.0
        assert ask(url, LIGHT).status == 200
        answer = first.result()
        assert answer.status == 503 and "stopped after 20 s" in answer.text
        assert ask(url, LIGHT).status == 200
        assert len(pool.pids()) == 1  # back to one light worker


def test_a_demoted_query_that_finishes_is_answered(sample_store):
    # every pair of typed nodes, a string built for each: a second or two, past the 0.2 s budget on any
    # machine (the bare pair count takes 0.04 s, so it was demoted only when the machine was busy)
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?a a ?t . ?d a ?u FILTER(STRLEN(CONCAT(STR(?a), STR(?d))) > 0) }"
    app = create_app(sample_store.location, workers=1, query_timeout=60.0, light_budget=0.2, heavy_slots=1)
    with running(app) as url:
        answer = ask(url, query)
        assert answer.status == 200, answer.text
        typed = ask(url, "SELECT (COUNT(*) AS ?n) WHERE { ?a a ?t }").json()["results"]["bindings"][0]["n"]["value"]
        assert int(answer.json()["results"]["bindings"][0]["n"]["value"]) == int(typed) ** 2
        assert app.state.pool.demotions >= 1
        assert ask(url, LIGHT).status == 200


def _in_thread(pool, job):
    return pool.run(job)


def _in_loop(run_loop):
    def ask_pool(pool, job):
        async def job_in_loop():
            return await pool.arun(job)

        return run_loop(job_in_loop())

    return ask_pool


def _uvloop_run(main):
    uvloop = pytest.importorskip("uvloop")
    return uvloop.run(main)


@pytest.mark.parametrize(
    "ask_pool", [_in_thread, _in_loop(asyncio.run), _in_loop(_uvloop_run)], ids=["thread", "asyncio", "uvloop"]
)
def test_a_thread_and_the_event_loop_meet_the_same_limits_with_the_same_answers(sample_store, ask_pool):
    # WorkerPool.run (threads: search) and WorkerPool.arun (the event loop: every other query) follow
    # one course; each outcome of it, on a real pool: answered, demoted and answered, demoted and
    # stopped at the time limit, stopped at the heap cap, refused with the heavy lane full
    demoted = "SELECT (COUNT(*) AS ?n) WHERE { ?a a ?t . ?d a ?u FILTER(STRLEN(CONCAT(STR(?a), STR(?d))) > 0) }"
    light = "SELECT ?s WHERE { ?s a ?t } LIMIT 3"

    def job(sparql):
        return {"kind": "query", "sparql": sparql, "results_format": "JSON"}

    # the demoted query takes a second or two when the machine is idle and several under load: it is
    # given room, and the time limit is brought down to 4 s only for the query meant to meet it
    with WorkerPool(sample_store.location, workers=1, timeout=60.0, light_budget=0.2, memory_mb=256) as pool:
        first = ask_pool(pool, job(light))
        assert first.status == 200 and len(json.loads(first.body)["results"]["bindings"]) == 3, first.text
        before = pool.demotions  # 0, or 1 where the new worker's first answer took longer than 0.2 s
        answer = ask_pool(pool, job(demoted))
        assert answer.status == 200 and pool.demotions == before + 1, answer.text
        pool.timeout = 4.0
        stopped = ask_pool(pool, job(SLOW))
        assert stopped.status == 503 and "stopped after 4 s" in stopped.text, stopped.text
        assert pool.demotions == before + 2 and pool.restarts == 1
        grown = ask_pool(pool, job(MEMORY_HOG))
        assert grown.status == 503 and "256 MiB of memory" in grown.text, grown.text
        assert pool.restarts == 2
        pool.heavy_slots = 0  # no heavy lane: a query past its light budget is refused
        refused = ask_pool(pool, job(SLOW))
        assert refused.status == 503 and "already running 0 long queries" in refused.text, refused.text
        assert pool.restarts == 3
        again = ask_pool(pool, job(light))
        assert again.status == 200 and again.body == first.body  # a fresh worker, the same answer
        assert pool._heavy == 0 and len(pool.pids()) == 1  # every slot freed; one light worker left
