"""`.streamlit/config.toml`: the settings the security promises rest on (docs/security.md)."""

from __future__ import annotations

import tomllib
from pathlib import Path

from streamlit import config as st_config

CONFIG = Path(__file__).resolve().parents[2] / ".streamlit" / "config.toml"


def _config() -> dict:
    return tomllib.loads(CONFIG.read_text(encoding="utf-8"))


def test_tables_carry_no_unaudited_csv_download():
    """Streamlit's own CSV button on every st.dataframe / st.data_editor bypasses the audit log
    and the masking of exports; the audited export paths are the only way out."""
    assert _config()["client"]["disableDataExport"] is True


def test_every_setting_is_one_streamlit_knows():
    """A misspelt option is ignored silently by Streamlit; here it fails."""
    st_config.get_config_options()
    known = set(st_config._config_options)  # the only listing Streamlit offers
    for section, values in _config().items():
        for name in values:
            assert f"{section}.{name}" in known, f"{section}.{name} is not a Streamlit option"


def test_the_other_security_settings_stay():
    conf = _config()
    assert conf["server"]["enableXsrfProtection"] is True
    assert conf["server"]["headless"] is True
    assert conf["client"]["showErrorDetails"] == "none"
    assert conf["browser"]["gatherUsageStats"] is False
