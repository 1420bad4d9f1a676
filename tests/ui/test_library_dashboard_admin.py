"""The rebuttal library (copy, downloads, pulls, corrections, retraction), the
dashboard and the admin pages."""
from __future__ import annotations

import pytest

from desk.domain import NewSighting, RebuttalStatus, Role
from desk.errors import AuthError
from desk.services.rebuttals import RebuttalDraft

FORMATS = ("whatsapp", "csv", "json", "claimreview", "bulletin")


def _library(desk, who="coordinator"):
    return desk.app(who, page="library" if who != "coordinator" else None)


def test_library_lists_only_live_rebuttals(desk, seeded):
    at = _library(desk)
    assert not at.exception
    table = desk.frame(at, "library.table")
    assert list(table["#"]) == [seeded.published]
    assert list(table["Status"]) == ["Published"] and list(table["Region"]) == ["Nation-wide"]
    assert "There is no such scheme." in [t.value for t in at.text]
    assert "library.retract" not in [b.key for b in at.button]      # coordinators don't


def test_copy_whatsapp_text_records_a_pull(desk, seeded):
    at = _library(desk)
    assert "library.download_whatsapp" not in [b.key for b in at.download_button]
    at.button(key="library.copy").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    forwardable = [c.value for c in at.code if "no free cylinders" in c.value]
    assert forwardable and len(forwardable[0]) <= 1000
    assert at.download_button(key="library.download_whatsapp")
    [pull] = desk.svc.pulls.mine(desk.ids["coordinator"])
    assert (pull.rebuttal_id, pull.version_no, pull.format) == (seeded.published, 1, "copy")


@pytest.fixture
def publishing_settings(desk):
    for key, value in (("publish.base_url", "https://factdesk.example/checks"),
                       ("publish.organisation", "Demo War Room")):
        desk.svc.settings.set(desk.system, key, value, expected_version=0)


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_download_format_is_prepared_and_recorded(desk, seeded, publishing_settings, fmt):
    at = _library(desk)
    at.selectbox(key="library.export_format").set_value(fmt)
    at.radio(key="library.export_scope").set_value("all")
    at.button(key="library.export_go").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    button = at.download_button(key="library.download")
    assert button.label.startswith("Download factdesk-")
    [pull] = desk.svc.pulls.mine(desk.ids["coordinator"])
    assert (pull.rebuttal_id, pull.format) == (seeded.published, fmt)


def test_a_correction_since_my_pull_is_flagged(desk, seeded):
    coord, fc, ed = desk.ids["coordinator"], desk.ids["fact_checker"], desk.ids["editor"]
    desk.svc.pulls.record(coord, [(seeded.published, 1)], fmt="copy")
    r = desk.svc.rebuttals.get(fc, seeded.published)
    r = desk.svc.rebuttals.save_version(fc, r.id, RebuttalDraft(
        "false", "There is no such scheme; the notice is fake.", "FALSE: the notice is fake."),
        expected_version=r.version)
    r = desk.svc.rebuttals.submit(fc, r.id, expected_version=r.version)
    r = desk.svc.rebuttals.approve(ed, r.id, expected_version=r.version)
    desk.svc.rebuttals.publish(ed, r.id, expected_version=r.version)
    at = _library(desk)
    assert not at.exception
    warnings = [desk.shown(w.value) for w in at.warning]
    assert any(f"Rebuttal #{seeded.published} that you took (version 1" in w
               and "share version 2 instead" in w for w in warnings)
    assert list(desk.frame(at, "library.table")["Since your pull"]) == ["Corrected"]
    assert "There is no such scheme; the notice is fake." in [t.value for t in at.text]


def test_editor_retracts_and_pullers_are_told(desk, seeded):
    coord = desk.ids["coordinator"]
    desk.svc.pulls.record(coord, [(seeded.published, 1)], fmt="csv")
    at = _library(desk, "editor")
    at.text_area(key="library.retract_reason").set_value("The scheme was announced after all.")
    at.button(key="library.retract").click().run()
    assert not at.exception
    assert desk.svc.rebuttals.get(desk.system, seeded.published).status == \
        RebuttalStatus.RETRACTED
    coordinator = _library(desk)
    assert any("has been retracted" in desk.shown(e.value) for e in coordinator.error)
    assert desk.frame(coordinator, "library.table").empty


def test_dashboard_shows_the_desk_figures(desk, seeded):
    fc = desk.ids["fact_checker"]
    desk.svc.sightings.record(fc, [NewSighting(seeded.other_claim, f"s{i}", source_group=f"g{i}")
                                   for i in range(4)])
    at = desk.app("coordinator", page="dashboard")
    assert not at.exception and not at.error
    viral = desk.frame(at, "dashboard.viral")
    assert viral["#"].iloc[0] == seeded.other_claim
    assert viral["Forwards, 24 h"].iloc[0] == 4
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Rebuttals waiting for review"] == "1"
    assert metrics["Median, all time"].endswith(" h")
    reviewers = desk.frame(at, "dashboard.reviewer_table")
    assert set(reviewers["Person"]) >= {"Editor Person", "Admin Person"}
    assert len(at.get("vega_lite_chart")) >= 4               # intake, funnel, regions...


def test_admin_creates_an_account_with_a_one_time_password(desk, seeded):
    at = desk.app("admin", page="admin")
    assert [t.label for t in at.tabs] == ["Users", "Regions", "Topics", "Matching", "Publishing",
                                          "Index and backup", "Audit log"]
    at.text_input(key="admin.new_username").set_value("ravi")
    at.text_input(key="admin.new_display_name").set_value("Ravi <b>K</b>")
    at.selectbox(key="admin.new_role").set_value("coordinator")
    at.selectbox(key="admin.new_region").set_value("UP-LKO")
    at.button(key="admin.new_user_submit").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    [password] = [c.value for c in at.code if c.language == "plaintext" and len(c.value) >= 16]
    user = desk.svc.users.by_username(desk.system, "ravi")
    assert (user.role, user.display_name) == (Role.COORDINATOR, "Ravi <b>K</b>")
    token, _ = desk.svc.auth.sign_in("ravi", password)
    assert desk.svc.auth.resolve(token).id == user.id
    at.button(key="admin.password_dismiss").click().run()
    assert password not in [c.value for c in at.code]


def test_admin_changes_a_role_and_deactivates(desk, seeded):
    at = desk.app("admin", page="admin")
    target = desk.ids["researcher"]
    at.selectbox(key="admin.user_pick").set_value(target).run()
    at.selectbox(key=f"admin.user_role_{target}").set_value("editor")
    at.button(key="admin.set_role").click().run()
    assert desk.svc.users.get(desk.system, target).role == Role.EDITOR
    token = desk.token("researcher")
    at.button(key="admin.deactivate").click().run()
    assert not at.exception
    assert not desk.svc.users.get(desk.system, target).active
    with pytest.raises(AuthError):
        desk.svc.auth.resolve(token)


def test_admin_imports_regions_and_saves_topics(desk, seeded):
    at = desk.app("admin", page="admin")
    at.file_uploader(key="admin.regions_file").upload(
        "regions.csv", "code,name,name_hi,level,parent_code\nUP-AGR,Agra,आगरा,district,UP\n"
        .encode(), "text/csv")
    at.run()
    at.button(key="admin.regions_import").click().run()
    assert not at.exception
    assert "1 new" in desk.shown(at.success[0].value)
    assert desk.svc.regions.by_code(desk.system, "UP-AGR").name_hi == "आगरा"
    at.text_input(key="admin.topic_slug").set_value("evm")
    at.text_input(key="admin.topic_en").set_value("EVMs")
    at.text_input(key="admin.topic_hi").set_value("ईवीएम")
    at.button(key="admin.topic_save").click().run()
    assert "evm" in {t.slug for t in desk.svc.regions.topics(desk.system)}


def test_admin_bad_region_file_names_the_line(desk, seeded):
    at = desk.app("admin", page="admin")
    at.file_uploader(key="admin.regions_file").upload(
        "regions.csv", b"code,name,name_hi,level,parent_code\nX1,Somewhere,,planet,\n", "text/csv")
    at.run()
    at.button(key="admin.regions_import").click().run()
    assert not at.exception
    assert "line 2" in desk.shown(at.error[0].value)


def test_admin_thresholds_backup_and_check(desk, seeded):
    at = desk.app("admin", page="admin")
    at.number_input(key="admin.th_same").set_value(0.9)
    at.number_input(key="admin.th_related").set_value(0.6)
    at.button(key="admin.th_apply").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert desk.svc.settings.thresholds(desk.system)[0] == {"same": 0.9, "related": 0.6}
    at.button(key="admin.backup").click().run()
    path = [t.value for t in at.text if t.value.endswith(".db")][0]
    assert __import__("pathlib").Path(path).stat().st_size > 0
    at.button(key="admin.check").click().run()
    assert not at.exception
    assert "consistent" in desk.shown(at.success[0].value)


def test_claimreview_without_a_base_url_explains_itself(desk, seeded):
    at = _library(desk)
    at.selectbox(key="library.export_format").set_value("claimreview")
    at.button(key="library.export_go").click().run()
    assert not at.exception
    assert "publish.base_url" in desk.shown(at.error[0].value)
    assert desk.svc.pulls.mine(desk.ids["coordinator"]) == []          # nothing handed out


def test_admin_sets_the_publishing_settings(desk, seeded):
    at = desk.app("admin", page="admin")
    at.text_input(key="admin.publish.base_url").set_value("https://factdesk.example/checks")
    at.text_input(key="admin.publish.organisation").set_value("Demo War Room")
    at.button(key="admin.pub_save").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert desk.svc.settings.get(desk.system, "publish.base_url")[0] == \
        "https://factdesk.example/checks"
    coordinator = _library(desk)
    coordinator.selectbox(key="library.export_format").set_value("claimreview")
    coordinator.button(key="library.export_go").click().run()
    assert coordinator.download_button(key="library.download")


def test_editor_sees_only_topics_and_matching(desk, seeded):
    at = desk.app("editor", page="admin")
    assert [t.label for t in at.tabs] == ["Topics", "Matching"]
    assert "admin.th_apply" not in [b.key for b in at.button]
