from desk.config import load_settings
from desk.intake import IntakeLimits, parse_whatsapp, read_tabular


def test_limits_follow_the_desk_settings(tmp_path):
    (tmp_path / "config.toml").write_text("max_upload_bytes = 1234\nmax_text_chars = 99\n")
    limits = IntakeLimits.from_settings(load_settings(tmp_path, env={}), max_rows=7)
    assert (limits.max_upload_bytes, limits.max_message_chars, limits.max_rows) == (1234, 99, 7)
    assert limits.max_messages == IntakeLimits().max_messages


def test_configured_limits_are_enforced(tmp_path):
    (tmp_path / "config.toml").write_text("max_upload_bytes = 60\nmax_text_chars = 5\n")
    limits = IntakeLimits.from_settings(load_settings(tmp_path, env={}))
    export = parse_whatsapp("22/11/26, 9:05 am - A: a long message\n", limits=limits)
    assert "too_long" in export.messages[0].flags
    result = read_tabular(b"text\na long claim\n", fmt="csv", limits=limits)
    assert [str(e) for e in result.errors] == ["line 2: text is 12 characters long; the limit is 5"]
