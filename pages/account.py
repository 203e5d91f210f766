"""我的账号: who I am, the security rules, and changing my password."""

import streamlit as st

from components import auth, feedback
from components.safe_text import escape_md
from locales import enum_label, t

actor = feedback.page_start(t("accounts.my_title"))

st.markdown(
    f"**{t('accounts.display_name')}**：{escape_md(actor.display_name)}  \n"
    f"**{t('accounts.username')}**：`{actor.username.replace('`', '')}`  \n"  # a code span
    f"**{t('accounts.role')}**：{enum_label(actor.role)}"
)
st.caption(t("accounts.security_note"))

st.subheader(t("accounts.change_password"))
auth.password_change_form(actor, key="account_password_change")
