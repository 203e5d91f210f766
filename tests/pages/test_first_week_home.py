"""The home page of a new school: the first-week checklist with live status and links (school
leaders; gone once everything is done), and the administrator's backup status (age, a warning
after two days, the monthly 下载最新备份 reminder)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from db.engine import write_session
from db.enums import LeftBehindType, Role
from db.models import Pairing, School, Term
from services import school_setup
from services.actor import load_actor
from services.clock import school_today
from services.ops import backup
from services.school_setup import AdminDraft, SchoolDraft, SetupDraft
from tests.factories import PARENTS, make_child, make_classroom, make_user
from tests.pages.apptest import ROOT, run_page, texts

PASSWORD = "Qingshan-2026"
GOOD_KEY = "Zq8-Kp2xN4vW7yR1tB6mC3hJ9sD5fG0aLe-test"


@pytest.fixture
def new_school(app_env, tmp_path, monkeypatch):
    """A school fresh from the wizard; backups in a temp folder; returns actors by role."""
    monkeypatch.setenv("CARELEDGER_BACKUP_DIR", str(tmp_path / "backups"))
    monkeypatch.delenv("CARELEDGER_AUTO_BACKUP", raising=False)
    with write_session(app_env) as session:
        result = school_setup.set_up_school(
            session,
            SetupDraft(
                SchoolDraft("青山县第一小学", "2143000101", "青山县"),
                AdminDraft("wang", "王老师", PASSWORD, PASSWORD),
                school_setup.suggested_terms(school_today()),
            ),
        )
        school = session.get(School, result.school_id)
        actors = {Role.ADMIN: load_actor(session, result.admin_user_id)}
        for role in (Role.PRINCIPAL, Role.HEAD_TEACHER):
            actors[role] = load_actor(session, make_user(session, school, role).id)
    return actors


def finish_first_week(engine) -> None:
    """Staff, a roster with complete archives, and every key child paired."""
    with write_session(engine) as session:
        school = session.scalars(select(School)).one()
        head = make_user(session, school, Role.HEAD_TEACHER)
        room = make_classroom(session, school, head=head)
        make_child(session, school, room, LeftBehindType.NONE)
        key = make_child(session, school, room, LeftBehindType.BOTH, is_key=True, **PARENTS)
        term = session.scalars(select(Term).order_by(Term.start_date)).first()
        today = school_today()
        term = (
            session.scalars(
                select(Term).where(Term.start_date <= today, Term.end_date >= today)
            ).first()
            or term
        )
        session.add(Pairing(school_id=school.id, teacher_id=head.id, child_id=key.id,
                            term_id=term.id))  # fmt: skip


def test_a_new_school_sees_the_checklist_with_live_status(new_school):
    at = run_page("pages/home.py", new_school[Role.ADMIN])
    assert not at.exception
    shown = texts(at)
    assert "第一周清单" in shown
    assert "**学期校历**" in shown and "学期" in shown
    assert "已启用 7 条" in shown
    assert "**教职工** · 2 人" in shown  # the principal and the head teacher, not the admin
    assert "还没有导入学生名册" in shown
    # page links: run alone, the page has no navigation, so the link text is a caption
    captions = [c.value for c in at.caption]
    assert "导入学生名册" in captions
    assert "安排结对" in captions


def test_the_principal_sees_the_checklist_but_no_backups(new_school, app_env):
    with write_session(app_env) as session:
        for term in session.scalars(select(Term)):
            term.deleted_at = datetime.now(UTC)
    at = run_page("pages/home.py", new_school[Role.PRINCIPAL])
    assert not at.exception
    shown = texts(at)
    assert "第一周清单" in shown
    assert "还没有本学期或下学期的校历" in shown
    assert "由系统管理员完成" in shown  # 联系规则与学期 is the administrator's page
    assert "导入学生名册" in [c.value for c in at.caption]  # the principal's page too
    assert "数据备份" not in shown


def test_a_head_teacher_sees_neither(new_school):
    at = run_page("pages/home.py", new_school[Role.HEAD_TEACHER])
    assert not at.exception
    assert "第一周清单" not in texts(at)
    assert "数据备份" not in texts(at)


def test_the_checklist_goes_when_everything_is_done(new_school, app_env):
    finish_first_week(app_env)
    at = run_page("pages/home.py", new_school[Role.ADMIN])
    assert not at.exception
    assert "第一周清单" not in texts(at)
    assert "数据备份" in texts(at)  # the backup status stays


def test_without_a_backup_the_administrator_is_warned(new_school):
    at = run_page("pages/home.py", new_school[Role.ADMIN])
    assert any("还没有任何备份" in w.value for w in at.warning)
    assert not at.get("download_button")


def test_a_fresh_backup_shows_its_age_and_the_monthly_copy_reminder(new_school, app_env):
    backup.take_backup(app_env)
    at = run_page("pages/home.py", new_school[Role.ADMIN])
    assert any("最新备份：刚刚" in s.value for s in at.success)
    assert any("还从未下载过" in i.value for i in at.info)
    buttons = at.get("download_button")
    assert len(buttons) == 1 and "下载最新备份" in str(buttons[0].proto.label)


def test_an_old_backup_warns_and_a_recent_download_quiets_the_reminder(new_school, app_env):
    info = backup.take_backup(app_env)
    manifest = info.path.with_name(info.name + ".json")
    data = json.loads(manifest.read_text())
    data["created_at"] = (datetime.now(UTC) - timedelta(days=3)).isoformat()
    manifest.write_text(json.dumps(data))
    with write_session(app_env) as session:
        backup.read_backup_for_download(session, new_school[Role.ADMIN], backup.backup_dir(),
                                        info.name)  # fmt: skip
    at = run_page("pages/home.py", new_school[Role.ADMIN])
    assert any("已超过 2 天没有新备份" in w.value for w in at.warning)
    assert not at.get("download_button")


def test_through_the_app_the_checklist_links_to_the_pages(new_school, monkeypatch):
    monkeypatch.setenv("CARELEDGER_COOKIE_KEY", GOOD_KEY)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.text_input[0].input("wang")
    at.text_input[1].input(PASSWORD)
    next(b for b in at.button if b.label == "登录").click()
    at._finished_page_script_hash = ""
    at = at.run()
    at.switch_page("pages/home.py")
    at = at.run()
    assert not at.exception
    links = {link.proto.label: link.proto.page for link in at.get("page_link")}
    assert "导入学生名册" in links
    assert "安排结对" in links


def test_the_backups_page_says_what_the_home_card_says_about_automatic_backups(
    new_school, monkeypatch
):
    """Without CARELEDGER_AUTO_BACKUP both pages say the server's timer (or the button) backs up;
    with the app's own thread running both say daily, 30 days. Quotes are “” like the rest."""
    admin = new_school[Role.ADMIN]
    home, page = (texts(run_page(p, admin)) for p in ("pages/home.py", "pages/backups.py"))
    assert "本系统不自动备份" in home and "本系统不自动备份" in page
    assert "每天自动备份" not in page and "systemd 或 cron" in page
    assert "「" not in home and "“备份与恢复”" in home

    from components import auto_backup as app_backup

    class Running:
        last_error = None

    monkeypatch.setattr(app_backup, "start_once", lambda: Running())
    home, page = (texts(run_page(p, admin)) for p in ("pages/home.py", "pages/backups.py"))
    assert "每天自动备份一次" in home and "每天自动备份一次" in page
    assert "保留最近 30 天" in page and "本系统不自动备份" not in page
