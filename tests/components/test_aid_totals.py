"""资助 totals: the card and the table show an amount the same way (thousands, 2 decimals)."""

from streamlit.testing.v1 import AppTest


def _app() -> None:
    import pandas as pd

    from components import aid_totals

    aid_totals.show(
        pd.DataFrame(
            {
                "term_id": [1, 1],
                "term": ["2025秋", "2025秋"],
                "kind": ["sponsor", "hardship"],
                "records": [3, 2],
                "children": [3, 2],
                "amount": [1500.0, 4375.0],
            }
        )
    )


def test_card_and_table_format_amounts_alike():
    at = AppTest.from_function(_app).run()
    assert not at.exception
    assert next(m.value for m in at.metric) == "5,875.00"
    assert at.dataframe[0].value["amount"].tolist() == ["1,500.00", "4,375.00"]


def test_the_aid_grid_shows_amounts_with_thousands_and_two_decimals():
    from components.grid_columns import column_config
    from db.enums import Role
    from services.actor import Actor
    from services.care.aid import aid_specs

    config, _ = column_config(aid_specs([]), Actor(1, "p", "校长", Role.PRINCIPAL, 1), True)
    # Streamlit's "accounting": 1,234.00 (a printf "%.2f" has no thousands separator)
    assert config["amount"]["type_config"]["format"] == "accounting"
