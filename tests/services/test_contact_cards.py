"""Contact cards (联系卡) print empty fields as 未填, never "nan", "None" or "NaT" (#16 item 3)."""

from __future__ import annotations

import io
from datetime import date

import numpy as np
import pandas as pd
from pypdf import PdfReader

from services.reports.contact_cards import render_contact_cards


def test_empty_fields_print_as_not_filled_in():
    roster = pd.DataFrame(
        [
            {
                "name": "张阳",
                "classroom": "三年级(1)班",
                "gender": "male",
                "birth_date": date(2017, 5, 1),
                "left_behind_type": "both",
                "is_key": True,
                "father_name": "张大山",
                "father_phone": np.nan,
                "father_work_detail": np.nan,
                "father_work_province": "广东",
                "father_work_city": np.nan,
                "mother_name": np.nan,
                "guardian_name": "李奶奶",
                "guardian_relation": np.nan,
                "guardian_phone": "13812345678",
                "guardian_age": 68.0,
                "guardian_health": np.nan,
                "guardian_education": "小学",
                "head_teacher": np.nan,
                "paired_teachers": np.nan,
            },
            {"name": "李四", "birth_date": pd.NaT, "gender": np.nan, "is_key": np.nan},
        ]
    )
    pdf = render_contact_cards(roster, "三年级(1)班 联系卡", "留守儿童联系卡")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    for word in ("nan", "None", "NaT", "68.0"):
        assert word not in text
    assert "广东" in text and "李奶奶" in text and "68" in text
