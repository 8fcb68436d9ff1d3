"""Readers of the served dashboard, many at once: each a Streamlit session driven over Streamlit's own protocol, so
that every visit runs the real page code in the served app, as a browser's would.

A page of a Streamlit app runs over a websocket (``/_stcore/stream``): the client sends a ``BackMsg`` asking for a run
of the script (``rerun_script``: the page and the widgets' values), the server answers with ``ForwardMsg``s (the
elements drawn, as ``delta``s) until ``script_finished``. A reader here signs in through the app's sign-in form (the
form's two text inputs and its submit button, by the widget ids the form was drawn with), then visits its pages in
turn, by the menu's pages (``navigation``), until told to stop. A visit counts as an error when the connection fails,
it does not finish in time, the page shows an exception or an error alert, says nothing is published, or the script
does not finish. What the page drew is not looked at further, but its metrics (label and value) are kept, so that a
caller can tell which figures each visit saw.

A visit's latency is from the request sent until ``script_finished``: the server's work and the transfer, not the
browser's drawing (``tests/page_timing.py`` measures that, in Chromium). ``scripts/benchmark.py`` can call
``read_while`` and ``Readings.latency`` as the test does.

The ``websockets`` client it uses comes with Streamlit (a dependency of its server).
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

import websockets
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

SIGN_IN = "Logga in"  # a reader's first "visit": the sign-in form submitted, until the first page is drawn
OVERVIEW, COUNTIES, PARTICIPANTS, FIDELITY, MY_SITE = "Översikt", "Regioner", "Deltagare", "Programtrohet", "Min verksamhet"
EVERYONES_PAGES = (OVERVIEW, COUNTIES, PARTICIPANTS, FIDELITY)
SITE_PAGES = (*EVERYONES_PAGES, MY_SITE)
NOTHING_PUBLISHED = "ips-monitor run"  # in the notice a page shows when no figures are published (``ui.page_context``)


@dataclass(frozen=True)
class Login:
    username: str
    password: str
    pages: tuple[str, ...] = EVERYONES_PAGES  # menu titles, visited in turn


@dataclass(frozen=True)
class Visit:
    reader: int  # which of the readers (its login's place in ``logins``)
    username: str
    page: str  # the menu title, or SIGN_IN
    started: float  # time.monotonic() when the request was sent
    seconds: float  # until the page's script finished (or the visit failed)
    error: str | None = None
    metrics: tuple[tuple[str, str], ...] = ()  # (label, value shown) of each metric drawn, in order


@dataclass
class Readings:
    visits: list[Visit] = field(default_factory=list)
    stopped_by_deadline: bool = False  # the time bound ended the reading before ``stop_when`` did

    @property
    def errors(self) -> list[Visit]:
        return [v for v in self.visits if v.error is not None]

    @property
    def page_visits(self) -> list[Visit]:
        return [v for v in self.visits if v.page != SIGN_IN]

    def latency(self) -> dict[str, dict[str, float]]:
        """Per page and for all pages together ("alla"): the visits, and their median, 95th percentile and worst in seconds."""
        by_page: dict[str, list[float]] = {}
        for visit in self.page_visits:
            by_page.setdefault(visit.page, []).append(visit.seconds)
        by_page["alla"] = [v.seconds for v in self.page_visits]
        return {page: _summary(seconds) for page, seconds in by_page.items() if seconds}

    def report(self) -> str:
        lines = [f"{len(self.page_visits)} page visits by {len({v.reader for v in self.visits})} readers, {len(self.errors)} errors"]
        for page, figures in self.latency().items():
            lines.append(f"  {page:<15} {figures['visits']:>4.0f} visits  median {figures['median_s']:.2f} s  "
                         f"p95 {figures['p95_s']:.2f} s  worst {figures['worst_s']:.2f} s")
        return "\n".join(lines)


def _summary(seconds: list[float]) -> dict[str, float]:
    ordered = sorted(seconds)
    p95 = ordered[math.ceil(0.95 * len(ordered)) - 1]  # nearest rank
    return {"visits": len(ordered), "median_s": round(statistics.median(ordered), 3), "p95_s": round(p95, 3), "worst_s": round(ordered[-1], 3)}


class _Session:
    """One reader's Streamlit session over one websocket."""

    def __init__(self, number: int, stream_url: str, login: Login, visit_timeout: float) -> None:
        self.number, self.stream_url, self.login, self.visit_timeout = number, stream_url, login, visit_timeout
        self.connection: websockets.ClientConnection | None = None
        self.pages: dict[str, tuple[str, str]] = {}  # menu title -> (page script hash, url path), once signed in

    @property
    def signed_in(self) -> bool:
        return self.connection is not None and bool(self.pages)

    async def sign_in(self) -> Visit:
        """A new session: the sign-in form drawn, filled in and submitted, until the first page is drawn."""
        started = time.monotonic()
        await self.close()
        try:
            self.connection = await websockets.connect(self.stream_url, subprotocols=[websockets.Subprotocol("streamlit")],
                                                       max_size=None, open_timeout=self.visit_timeout)
            form = await self._run(BackMsg())
            fields = {element.label: element.id for kind, element in form.elements if kind in ("text_input", "button")}
            submitted = BackMsg()
            submitted.rerun_script.widget_states.widgets.extend([
                WidgetState(id=fields["Användarnamn"], string_value=self.login.username),
                WidgetState(id=fields["Lösenord"], string_value=self.login.password),
                WidgetState(id=fields[SIGN_IN], trigger_value=True)])
            first_page = await self._run(submitted)
        except (OSError, TimeoutError, KeyError, websockets.WebSocketException) as failure:
            await self.close()
            return self._visited(SIGN_IN, started, f"{type(failure).__name__}: {failure}")
        pages = {page.page_name: (page.page_script_hash, page.url_pathname) for page in first_page.app_pages}
        missing = [name for name in self.login.pages if name not in pages]
        error = first_page.error or (f"not signed in, or without the pages {missing}" if missing else None)
        if error is None:
            self.pages = pages
        return self._visited(SIGN_IN, started, error, first_page.metrics)

    async def visit(self, page: str) -> Visit:
        """The page's script run in this session, as a click on its link in the menu asks for it."""
        started = time.monotonic()
        request = BackMsg()
        request.rerun_script.page_script_hash, request.rerun_script.page_name = self.pages[page]
        try:
            drawn = await self._run(request)
        except (OSError, TimeoutError, websockets.WebSocketException) as failure:
            await self.close()  # a new session, signed in again, for the next visit
            return self._visited(page, started, f"{type(failure).__name__}: {failure}")
        return self._visited(page, started, drawn.error, drawn.metrics)

    async def close(self) -> None:
        connection, self.connection, self.pages = self.connection, None, {}
        if connection is not None:
            with contextlib.suppress(OSError, TimeoutError, websockets.WebSocketException):
                async with asyncio.timeout(5):
                    await connection.close()

    def _visited(self, page: str, started: float, error: str | None, metrics: tuple[tuple[str, str], ...] = ()) -> Visit:
        return Visit(self.number, self.login.username, page, started, time.monotonic() - started, error, metrics)

    async def _run(self, request: BackMsg) -> _Drawn:
        """Send ``request`` (a rerun of the script) and read until the run finishes; a run ended early for a rerun (the
        sign-in's ``st.rerun``) is followed to the end of the next."""
        assert self.connection is not None
        request.rerun_script.SetInParent()
        await self.connection.send(request.SerializeToString())
        drawn = _Drawn()
        async with asyncio.timeout(self.visit_timeout):
            while True:
                message = ForwardMsg()
                message.ParseFromString(await self.connection.recv())
                kind = message.WhichOneof("type")
                if kind == "delta" and message.delta.WhichOneof("type") == "new_element":
                    drawn.add(message.delta.new_element)
                elif kind == "navigation":
                    drawn.app_pages = list(message.navigation.app_pages)
                elif kind == "page_not_found":
                    drawn.problems.append(f"page not found: {message.page_not_found.page_name}")
                elif kind == "script_finished":
                    if message.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                        drawn.problems.append("the script did not compile")
                    if message.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                        return drawn


@dataclass
class _Drawn:
    elements: list[tuple[str, Any]] = field(default_factory=list)  # (kind, the element's message: streamlit.proto's)
    app_pages: list[Any] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def add(self, element: Any) -> None:  # a streamlit.proto Element
        kind = element.WhichOneof("type")
        if kind is None:
            return
        shown = getattr(element, kind)
        self.elements.append((kind, shown))
        if kind == "exception":
            self.problems.append(f"exception: {shown.type}: {shown.message}")
        elif kind == "alert" and shown.format == Alert.ERROR:
            self.problems.append(f"error alert: {shown.body}")
        elif kind == "alert" and NOTHING_PUBLISHED in shown.body:
            self.problems.append(f"nothing published: {shown.body}")

    @property
    def metrics(self) -> tuple[tuple[str, str], ...]:
        return tuple((shown.label, shown.body) for kind, shown in self.elements if kind == "metric")

    @property
    def error(self) -> str | None:
        return "; ".join(self.problems) or None


async def _read(session: _Session, readings: Readings, everyone_signed_in: asyncio.Barrier, when_signed_in: Callable[[], object],
                stop_when: Callable[[], bool], then_rounds: int, deadline: float, pause_seconds: float) -> None:
    """One reader: signed in, and once every reader is, its pages in turn until told to stop or out of time."""
    readings.visits.append(await session.sign_in())
    if await everyone_signed_in.wait() == 0:
        when_signed_in()
    rounds_left: int | None = None  # counted down once stop_when() is true
    while rounds_left != 0:
        if rounds_left is None and stop_when():
            rounds_left = then_rounds
            continue
        for page in session.login.pages:
            if time.monotonic() >= deadline:
                readings.stopped_by_deadline = True
                await session.close()
                return
            if not session.signed_in:
                readings.visits.append(again := await session.sign_in())
                if again.error is not None:
                    await asyncio.sleep(1)  # not signed in: the next round tries again, without hammering
                    break
            readings.visits.append(await session.visit(page))
            await asyncio.sleep(pause_seconds)
        if rounds_left is not None:
            rounds_left -= 1
    await session.close()


def read_while(base_url: str, logins: Sequence[Login], stop_when: Callable[[], bool], *, when_signed_in: Callable[[], object] = lambda: None,
               then_rounds: int = 1, max_seconds: float = 120, visit_timeout: float = 60, pause_seconds: float = 0.0) -> Readings:
    """Every reader of ``logins`` at once, each in a session of its own against the dashboard served at ``base_url``:
    signed in; once all are, ``when_signed_in()`` is called (to start what they should read during, say) and each visits
    its pages in turn, round after round, until ``stop_when()`` (asked before each round) is true and it has done
    ``then_rounds`` more rounds, or ``max_seconds`` have passed (no visit is begun after that, and each takes at most
    ``visit_timeout``). ``pause_seconds``: a reader's pause after each visit. Blocks until every reader has stopped."""
    address = urlparse(base_url)
    stream_url = f"ws://{address.netloc}{address.path.rstrip('/')}/_stcore/stream"
    readings = Readings()
    deadline = time.monotonic() + max_seconds

    async def everyone() -> None:
        signed_in = asyncio.Barrier(len(logins))
        await asyncio.gather(*(_read(_Session(number, stream_url, login, visit_timeout), readings, signed_in, when_signed_in, stop_when,
                                     then_rounds, deadline, pause_seconds) for number, login in enumerate(logins)))

    asyncio.run(everyone())
    return readings
