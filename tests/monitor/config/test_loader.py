from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from monitor.config import Batch, Category, ConfigError, load_config, parse_config
from tests.fixtures.servers import COCO_MODEL, SAMPLE_VIDEO
from tests.helpers import config_dict, write_config


def _with(path: str, value: Any, base: dict[str, Any] | None = None) -> dict[str, Any]:
    """config_dict() with one value replaced at a dotted path ('sites.0.cameras.0.url')."""
    data = copy.deepcopy(base or config_dict())
    node: Any = data
    keys = [int(k) if k.isdigit() else k for k in path.split(".")]
    for key in keys[:-1]:
        node = node[key]
    node[keys[-1]] = value
    return data


def test_given_a_valid_file_when_loaded_then_every_section_is_typed(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path / "c.yaml", config_dict()))
    assert config.timezone == "Asia/Shanghai"
    assert config.working_hours.start == dt.time(7, 0)
    assert config.sites[0].batch is Batch.started
    assert config.sites[0].name == "测试工地1"
    assert config.detector.categories["person"] is Category.worker
    assert config.sites[0].cameras[0].url.get_secret_value() == str(SAMPLE_VIDEO)


def test_relative_paths_are_taken_from_the_config_folder(tmp_path: Path) -> None:
    (tmp_path / "videos").mkdir()
    (tmp_path / "videos" / "a.mp4").write_bytes(SAMPLE_VIDEO.read_bytes()[:1000])
    data = _with("sites.0.cameras.0.url", "videos/a.mp4")
    config = load_config(write_config(tmp_path / "c.yaml", data))
    assert config.sites[0].cameras[0].url.get_secret_value() == str(tmp_path / "videos" / "a.mp4")


@pytest.mark.parametrize(
    ("path", "value", "field", "message"),
    [
        ("sites.0.cameras.0.url", "ftp://cam/1", "sites[0].cameras[0].url", "unsupported URL scheme 'ftp://'"),
        ("sites.0.cameras.0.url", "/no/such/video.mp4", "sites[0].cameras[0].url", "video file not found"),
        ("sites.0.cameras.0.url", "", "sites[0].cameras[0].url", "non-empty"),
        ("sites.0.batch", "finished", "sites[0].batch", "'signed', 'started' or 'in_production'"),
        ("sites.0.id", "bad id!", "sites[0].id", "should match pattern"),
        ("sites.0.cameras", [], "sites[0].cameras", "at least 1"),
        ("sites.0.planned_investment", -5, "sites[0].planned_investment", "greater than or equal to 0"),
        ("timezone", "Mars/Olympus", "timezone", "unknown time zone 'Mars/Olympus'"),
        ("sampling.interval_seconds", 1, "sampling.interval_seconds", "greater than or equal to 5"),
        ("detector.model", "/no/model.pt", "detector.model", "model not found: /no/model.pt"),
        ("detector.image_size", 500, "detector.image_size", "multiple of 32"),
        ("detector.categories", {"person": "crane"}, "detector.categories.person", "'worker', 'machinery'"),
        ("detector.category_confidence", {"worker": 1.5}, "detector.category_confidence", "worker: must be between"),
        ("detector.category_confidence", {"ignored": 0.1}, "detector.category_confidence", "ignored classes"),
        ("detector.category_confidence", {"crane": 0.1}, "detector.category_confidence.crane.[key]", "'worker'"),
        ("working_hours", {"start": "18:00", "end": "08:00"}, "working_hours", "must be after start"),
        ("sites.0.cameras.0.zones", {"site": [[0, 0], [1, 1]]}, "sites[0].cameras[0].zones.site", "at least 3"),
        ("sites.0.cameras.0.zones", {"site": [[0, 0], [2, 0], [0, 1]]}, "sites[0].cameras[0].zones.site[1][0]", "1"),
        (
            "sites.0.cameras.0.masks",
            [{"polygon": [[0, 0], [0.5, 0.5], [1, 1]]}],
            "sites[0].cameras[0].masks[0].polygon",
            "zero area",
        ),
        ("sites.0.cameras.0.tiling", {"columns": 9}, "sites[0].cameras[0].tiling.columns", "less than or equal to 8"),
        ("sites.0.cameras.0.tiling", {"overlap": 0.7}, "sites[0].cameras[0].tiling.overlap", "less than or equal"),
        ("sites.0.cameras.0.colour", "red", "sites[0].cameras[0].colour", "Extra inputs are not permitted"),
        ("sites", [], "sites", "at least 1"),
    ],
)
def test_each_bad_field_is_reported_with_its_path(path: str, value: Any, field: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(_with(path, value), "c.yaml")
    fields = {e.path: e.message for e in info.value.errors}
    assert field in fields, fields
    assert message in fields[field]
    assert f"c.yaml: {len(fields)} configuration error(s)" in str(info.value)


def test_every_error_is_listed_not_only_the_first() -> None:
    data = _with("sites.0.batch", "x", _with("timezone", "Nowhere/Zone"))
    data["sites"].append(copy.deepcopy(data["sites"][0]) | {"id": "site2", "cameras": []})
    with pytest.raises(ConfigError) as info:
        parse_config(data, "c.yaml")
    assert {e.path for e in info.value.errors} == {"timezone", "sites[0].batch", "sites[1].batch", "sites[1].cameras"}


def test_duplicate_site_ids_are_named() -> None:
    data = config_dict([str(SAMPLE_VIDEO), str(SAMPLE_VIDEO)])
    data["sites"][1]["id"] = "site1"
    with pytest.raises(ConfigError) as info:
        parse_config(data)
    assert [str(e) for e in info.value.errors] == ["sites: duplicate site id 'site1' at sites[0] and sites[1]"]


def test_duplicate_camera_ids_are_named() -> None:
    data = config_dict()
    data["sites"][0]["cameras"].append({"id": "cam1", "url": str(SAMPLE_VIDEO)})
    with pytest.raises(ConfigError) as info:
        parse_config(data)
    assert [str(e) for e in info.value.errors] == ["sites[0].cameras: duplicate camera id 'cam1' at cameras[0] and [1]"]


def test_env_vars_fill_the_url_and_the_password_never_shows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAM_PW", "Sup3rSecret")
    data = _with("sites.0.cameras.0.url", "rtsp://admin:${CAM_PW}@10.0.0.5:554/live")
    camera = parse_config(data).sites[0].cameras[0]
    assert camera.url.get_secret_value() == "rtsp://admin:Sup3rSecret@10.0.0.5:554/live"
    assert camera.masked_url == "rtsp://admin:***@10.0.0.5:554/live"
    assert "Sup3rSecret" not in repr(camera)
    assert "Sup3rSecret" not in camera.model_dump_json()


def test_a_missing_env_var_is_an_error_naming_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CAM_PW", raising=False)
    with pytest.raises(ConfigError) as info:
        parse_config(_with("sites.0.cameras.0.url", "rtsp://admin:${CAM_PW}@10.0.0.5/live"))
    assert [str(e) for e in info.value.errors] == ["sites[0].cameras[0].url: environment variable CAM_PW is not set"]


def test_a_password_in_a_rejected_url_is_masked_in_the_error() -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(_with("sites.0.cameras.0.url", "ftp://admin:Sup3rSecret@cam/1"))
    assert "Sup3rSecret" not in str(info.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("sites: [\n  - id: a\n    name: [unclosed\n", "YAML syntax error at line"),
        ("- just\n- a list\n", "mapping"),
        ("", "mapping"),
    ],
)
def test_unreadable_files_get_one_clear_message(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(path) in str(info.value)
    assert message in str(info.value)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"(?s)nope\.yaml: 1 configuration error.*file not found"):
        load_config(tmp_path / "nope.yaml")


def test_an_openvino_folder_must_carry_the_suffix(tmp_path: Path) -> None:
    folder = tmp_path / "mymodel"
    folder.mkdir()
    with pytest.raises(ConfigError, match="must be named \\*_openvino_model"):
        parse_config(_with("detector.model", str(folder)))
    assert COCO_MODEL.name.endswith("_openvino_model")


def test_the_shipped_example_config_is_valid(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAM_PASSWORD_CD_WWTP", "x")
    monkeypatch.setenv("CAM_TOKEN_GX", "y")
    root = Path(__file__).resolve().parents[3]
    config = load_config(root / "camera_config.yaml")
    assert len(config.sites) >= 2


def _yaml_with(tmp_path: Path, extra: str) -> Path:
    """A valid config file with ``extra`` appended as YAML text."""
    path = write_config(tmp_path / "c.yaml", config_dict())
    path.write_text(path.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return path


def test_a_key_given_twice_is_an_error_naming_the_key_and_both_lines(tmp_path: Path) -> None:
    path = _yaml_with(tmp_path, "timezone: Europe/Berlin\n")  # config_dict() sets timezone already
    lines = path.read_text(encoding="utf-8").splitlines()
    first = lines.index("timezone: Asia/Shanghai") + 1
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert str(path) in message
    assert f"line {len(lines)}" in message and f"duplicate key 'timezone' (first given on line {first})" in message


def test_a_key_given_twice_inside_a_site_is_an_error_too(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("sites:\n  - id: a\n    name: x\n    id: b\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"line 4, column 5: duplicate key 'id' \(first given on line 2\)"):
        load_config(path)


def test_a_merged_key_may_be_overridden(tmp_path: Path) -> None:
    """``<<: *anchor`` then a key of the anchor is YAML's way to override, not a duplicate."""
    data = config_dict()
    site = data.pop("sites")[0]
    text = write_config(tmp_path / "c.yaml", data).read_text(encoding="utf-8")
    text += f"sites:\n  - &first {json.dumps(site, ensure_ascii=False)}\n  - <<: *first\n    id: site2\n"
    (tmp_path / "c.yaml").write_text(text, encoding="utf-8")
    assert [s.id for s in load_config(tmp_path / "c.yaml").sites] == ["site1", "site2"]


@pytest.mark.parametrize("opening", ["[", "{a: ", "- "])
def test_absurdly_deep_nesting_is_a_clear_error_not_a_recursion_traceback(tmp_path: Path, opening: str) -> None:
    path = tmp_path / "c.yaml"
    depth = 100_000
    if opening == "- ":
        text = "".join(" " * i + "- \n" for i in range(2000)) + " " * 2000 + "x\n"
    else:
        text = "sites: " + opening * depth + "1" + ("]" if opening == "[" else "}") * depth + "\n"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(path) in str(info.value) and "nested deeper than" in str(info.value)


def test_relative_snapshot_and_export_folders_are_taken_from_the_config_folder(tmp_path: Path) -> None:
    data = config_dict()
    data["sampling"]["snapshot_dir"] = "snaps"
    data["export"] = {"folder": "out/exports"}
    (tmp_path / "conf").mkdir()
    config = load_config(write_config(tmp_path / "conf" / "c.yaml", data))
    assert config.sampling.snapshot_dir == str(tmp_path / "conf" / "snaps")
    assert config.export.folder == str(tmp_path / "conf" / "out" / "exports")
    absolute = config_dict()
    absolute["sampling"]["snapshot_dir"] = str(tmp_path / "elsewhere")
    assert load_config(write_config(tmp_path / "conf" / "d.yaml", absolute)).sampling.snapshot_dir == str(
        tmp_path / "elsewhere"
    )


def test_omitted_snapshot_and_export_folders_stay_under_the_working_directory(tmp_path: Path) -> None:
    """The defaults are where they always were (a service's WorkingDirectory), not beside /etc/.../c.yaml."""
    config = load_config(write_config(tmp_path / "c.yaml", config_dict()))
    assert (config.sampling.snapshot_dir, config.export.folder) == ("var/snapshots", "var/exports")


def test_a_folder_under_home_is_expanded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    data = config_dict()
    data["export"] = {"folder": "~/exports"}
    config = load_config(write_config(tmp_path / "c.yaml", data))
    assert config.export.folder == str(tmp_path / "home" / "exports")


def test_the_retired_frozen_key_loads_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    from tests.helpers import config_dict

    data = config_dict()
    data["health"] = {"frozen_max_changed_fraction": 0.001, "frozen_after_samples": 4}
    config = parse_config(data)
    assert config.picture.frozen_after_samples == 4
    assert "picture.frozen_max_changed_fraction is no longer used" in caplog.text
    assert "section 'health' is now 'picture'" in caplog.text


def test_the_picture_section_under_its_old_and_new_name_at_once_is_an_error() -> None:
    from tests.helpers import config_dict

    data = config_dict()
    data["health"] = {"frozen_after_samples": 4}
    data["picture"] = {"frozen_after_samples": 5}
    with pytest.raises(ConfigError, match="'health' is the old name of 'picture'"):
        parse_config(data)
    del data["health"]
    assert parse_config(data).picture.frozen_after_samples == 5
