"""我的账号: who I am, the security rules, and changing my password."""

import streamlit as st

from components import auth, feedback
from components.safe_text import escape_md
from locales import enum_label, t
from locales.values import labelled

actor = feedback.page_start(t("accounts.my_title"))

username = f"`{actor.username.replace('`', '')}`"  # a code span
st.markdown(
    "  \n".join(
        labelled(f"**{t(key)}**", value)
        for key, value in (
            ("accounts.display_name", escape_md(actor.display_name)),
            ("accounts.username", username),
            ("accounts.role", enum_label(actor.role)),
        )
    )
)
st.caption(t("accounts.security_note"))

st.subheader(t("accounts.change_password"))
auth.password_change_form(actor, key="account_password_change")
