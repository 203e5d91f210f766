"""A cell edit in a grid reruns only the grid (an st.fragment), not the page (#15 item 3).

Against a real server, over Streamlit's own protocol (bench/load.py): a browser that edits a cell
inside a fragment asks for a rerun of that fragment only. The first edit still reruns the whole
page once (the page locks its pager and filters while edits are unsaved); later edits run the
grid alone: no page title, no filters, only the editor and its buttons are sent again.
"""

from __future__ import annotations

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import connect

from bench.load import DEMO_PASSWORD, Run, _request, _rerun, _sign_in
from tests.e2e.conftest import LiveServer, live_server  # noqa: F401 - the seeded server

pytestmark = pytest.mark.xdist_group("load")


def _edit(name: str) -> str:
    return json.dumps({"edited_rows": {"0": {"name": name}}, "added_rows": [], "deleted_rows": []})


def _kinds(run: Run) -> set[str]:
    return {kind for kind, _, _ in run.elements}


async def _edit_twice(base_url: str) -> tuple[Run, Run, Run]:
    ws_url = base_url.replace("http://", "ws://") + "/_stcore/stream"
    async with connect(ws_url, subprotocols=["streamlit"], max_size=None) as ws:  # type: ignore[list-item]
        pages = dict(await _sign_in(ws, "admin", DEMO_PASSWORD))
        page = pages["children"]
        full = await _request(ws, _rerun(page_hash=page))
        editor = next(i for k, _, i in full.elements if k == "dataframe" and "children.editor" in i)
        fragment = full.fragments[editor]
        first = await _request(
            ws, _rerun([{"id": editor, "string_value": _edit("改名一")}], page, fragment)
        )
        second = await _request(
            ws, _rerun([{"id": editor, "string_value": _edit("改名二")}], page, fragment)
        )
    return full, first, second


def test_a_cell_edit_reruns_the_grid_not_the_page(live_server: LiveServer):  # noqa: F811
    # A thread of its own: in a worker that ran browser tests, Playwright's loop is running here.
    with ThreadPoolExecutor(max_workers=1) as pool:
        full, first, second = pool.submit(asyncio.run, _edit_twice(live_server.url)).result()
    assert "heading" in _kinds(full) and not full.errors
    # The first edit: the whole page once more (it locks the pager and filters).
    assert "heading" in _kinds(first) and not first.errors
    # Later edits: the grid's fragment alone.
    assert second.finished == ForwardMsg.ScriptFinishedStatus.FINISHED_FRAGMENT_RUN_SUCCESSFULLY
    assert not second.errors
    assert "dataframe" in _kinds(second)
    assert "heading" not in _kinds(second)
    assert "selectbox" not in _kinds(second) and "multiselect" not in _kinds(second)
