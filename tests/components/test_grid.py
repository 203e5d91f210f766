"""The grid's save path as plain functions: editor positions → database ids → changes."""

import pandas as pd

from components.grid_columns import column_config
from components.grid_state import GridState, collect_changes, editor_frame, has_pending, rebase
from db.enums import LeftBehindType, Role
from services.actor import Actor
from services.errors import Conflict
from services.records.specs import ColumnSpec, ColumnType

SPECS = [
    ColumnSpec("name", "children.col.name", required=True),
    ColumnSpec(
        "left_behind_type",
        "children.col.left_behind_type",
        ColumnType.SELECT,
        options=tuple(LeftBehindType),
        option_prefix="enum.LeftBehindType.",
    ),
    ColumnSpec("id_card_no", "children.col.id_card_no", view_roles=frozenset({Role.PRINCIPAL})),
]
PRINCIPAL = Actor(1, "p", "校长", Role.PRINCIPAL, 1)
TEACHER = Actor(2, "t", "老师", Role.TEACHER, 1)


def page_frame() -> pd.DataFrame:
    # A filtered second page: ids are not positions.
    return pd.DataFrame(
        {
            "id": [41, 17, 93],
            "version": [3, 1, 7],
            "name": ["张三", "李四", "王五"],
            "left_behind_type": ["both", "father", "none"],
            "id_card_no": ["x", "y", "z"],
        }
    )


def state_for(actor: Actor = PRINCIPAL) -> GridState:
    return GridState(base=editor_frame(page_frame(), SPECS, actor))


def test_editor_frame_shows_labels_and_drops_columns_the_role_may_not_see():
    frame = editor_frame(page_frame(), SPECS, TEACHER)
    assert list(frame.columns) == ["id", "version", "name", "left_behind_type"]
    assert frame["left_behind_type"].tolist() == ["双亲外出", "父亲外出", "非留守"]


def test_edited_positions_map_to_ids_and_carry_the_seen_version():
    changes = collect_changes(
        state_for(), {"edited_rows": {1: {"name": "李四四"}, "2": {"left_behind_type": "母亲外出"}}}
    )
    assert [(u.id, u.version, u.values) for u in changes.updates] == [
        (17, 1, {"name": "李四四"}),
        (93, 7, {"left_behind_type": "母亲外出"}),
    ]
    assert changes.updates[0].label == "李四"


def test_deleted_positions_and_added_rows():
    changes = collect_changes(
        state_for(),
        {"deleted_rows": [0], "added_rows": [{"name": "新同学"}, {"name": None}]},
        label_field="name",
    )
    assert [(d.id, d.version, d.label) for d in changes.deletes] == [(41, 3, "张三")]
    assert [(i.label, i.values["name"]) for i in changes.inserts] == [("新同学", "新同学")]
    assert changes.updates == []


def test_columns_outside_the_frame_are_ignored():
    changes = collect_changes(state_for(TEACHER), {"edited_rows": {0: {"id": 5, "version": 9}}})
    assert changes.is_empty()


def test_nothing_edited_is_not_pending():
    state = state_for()
    assert not has_pending(state, {"edited_rows": {}, "added_rows": [], "deleted_rows": []})
    assert has_pending(state, {"edited_rows": {0: {"name": "x"}}})


def test_rebase_reloads_one_row_and_keeps_the_other_edits_with_their_versions():
    state = state_for()
    edits = {"edited_rows": {0: {"name": "张三三"}, 1: {"name": "李四四"}}, "added_rows": []}
    fresh = editor_frame(
        pd.DataFrame(
            {"id": [17], "version": [2], "name": ["李四(他人改)"], "left_behind_type": ["both"]}
        ),
        SPECS,
        PRINCIPAL,
    )
    new_state = rebase(state, edits, fresh)

    assert new_state.generation == state.generation + 1
    assert new_state.base["name"].tolist() == ["张三三", "李四(他人改)", "王五"]
    assert new_state.base["version"].tolist() == [3, 2, 7]
    changes = collect_changes(new_state, {})
    assert [(u.id, u.version, u.values) for u in changes.updates] == [(41, 3, {"name": "张三三"})]


def test_rebase_drops_a_row_deleted_meanwhile():
    state = state_for()
    state.conflicts = [Conflict("王五", 93, "校长", None), Conflict("张三", 41, "校长", None)]
    edits = {"edited_rows": {0: {"name": "张三三"}, 2: {"name": "王五五"}}}
    empty = editor_frame(page_frame().iloc[0:0], SPECS, PRINCIPAL)
    new_state = rebase(state, edits, empty, reload_ids=[93])
    assert new_state.base["id"].tolist() == [41, 17]
    assert [c.entity_id for c in new_state.conflicts] == [41]
    assert [(u.id, u.values) for u in collect_changes(new_state, {}).updates] == [
        (41, {"name": "张三三"})
    ]


def test_a_select_without_options_still_shows_the_values_of_the_rows():
    # Too many children to offer as a picker: existing rows must still show their child.
    specs = [ColumnSpec("child", "contacts.col.child", ColumnType.SELECT, options=())]
    frame = pd.DataFrame({"id": [1, 2], "version": [1, 1], "child": ["张三（三年级(1)班）", None]})
    config, _ = column_config(specs, PRINCIPAL, can_edit=True, frame=frame)
    assert config["child"]["type_config"]["options"] == ["张三（三年级(1)班）"]
