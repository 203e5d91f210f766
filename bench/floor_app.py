"""The floor: a plain Streamlit app of CareLedger's shape, for `make bench` to compare against.

What a small, straightforward Streamlit app does on each page run, and nothing more: a login form
with CareLedger's labels (用户名 / 密码 / 登录) that checks a bcrypt hash of the same cost, then
six pages under `st.navigation`, each with a metric, a 100-row `st.dataframe` and one Plotly bar
chart. bench/bench_load.py drives it with the same load client (bench/load.py) as CareLedger, in
turns, and reports CareLedger's cost as a ratio to it.

    streamlit run bench/floor_app.py
"""

from __future__ import annotations

from collections.abc import Callable

import bcrypt
import numpy as np
import pandas as pd
import plotly.express as px
import streamlit as st

PASSWORD = "demo1234"
ROUNDS = 12  # services.accounts.passwords.hash_password's cost
PAGES = ("总览", "儿童档案", "家校联系", "结对帮扶", "关爱活动", "健康")


@st.cache_resource
def _stored_hash() -> bytes:
    return bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(ROUNDS))


def _login() -> None:
    st.title("留守儿童关爱台账")
    with st.form("login"):
        st.subheader("登录")
        username = st.text_input("用户名")
        password = st.text_input("密码", type="password")
        submitted = st.form_submit_button("登录", type="primary")
    if submitted:
        if username and bcrypt.checkpw(password.encode(), _stored_hash()):
            st.session_state["user"] = username
            st.rerun()
        st.error("用户名或密码错误")
    st.stop()


def _page(number: int) -> None:
    st.title(PAGES[number])
    rng = np.random.default_rng(number)
    frame = pd.DataFrame(
        {
            "姓名": [f"学生{i}" for i in range(100)],
            "班级": [f"{1 + i % 6}年级" for i in range(100)],
            "联系次数": rng.integers(0, 12, 100),
        }
    )
    st.metric("本月联系", int(frame["联系次数"].sum()))
    st.dataframe(frame, hide_index=True)
    per_class = frame.groupby("班级", as_index=False)["联系次数"].sum()
    st.plotly_chart(px.bar(per_class, x="班级", y="联系次数"))


def _page_function(number: int) -> Callable[[], None]:
    def run() -> None:
        _page(number)

    run.__name__ = f"page_{number}"
    return run


if "user" not in st.session_state:
    _login()
st.sidebar.caption(st.session_state["user"])
pages = [
    st.Page(_page_function(n), title=title, url_path=f"p{n}", default=n == 0)
    for n, title in enumerate(PAGES)
]
st.navigation(pages).run()
