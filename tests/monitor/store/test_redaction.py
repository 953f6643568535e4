"""Rows the old masking wrote with a password in clear are rewritten by `sitemon db redact`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from monitor.cli import main
from monitor.config import parse_config
from monitor.core.values import CameraKey, CameraStatus, Sample
from monitor.store import make_engine, make_session_factory, migrate, models
from monitor.store.redaction import redact_stored
from monitor.store.repo import camera_pks, record_sample, sync_config
from tests.fixtures.clock import fixed
from tests.helpers import config_dict, write_config

T0 = dt.datetime(2026, 11, 28, 2, 0, tzinfo=dt.UTC)
OLD = "rtsp://admin:Slash/Pw-CCC333@10.7.7.7:554/live?access_token=Tok-7777777"
MANGLED = "ffmpeg: auth failed for 'Slash%2FPw-CCC333'"  # no URL left: only the known secret finds it


def _seed(sessions: sessionmaker[Session]) -> None:
    with sessions() as s:
        sync_config(s, parse_config(config_dict(["rtsp://10.7.7.7/live"])), fixed())
        pk = camera_pks(s)[CameraKey("site1", "cam1")]
        record_sample(s, pk, Sample(CameraKey("site1", "cam1"), T0, T0, CameraStatus.offline, reason=MANGLED))
        s.execute(update(models.Camera).values(masked_url=OLD, status_reason=f"refused by {OLD}"))
        alert = models.Alert(
            site_id="site1", type="camera_offline", message=f"离线: {OLD}", details={"reason": OLD}, opened_at=T0
        )
        s.add(alert)
        s.flush()
        s.add(
            models.OutboxItem(
                topic="alert",
                key="k",
                alert_id=alert.id,
                payload={"message": OLD},
                next_attempt_at=T0,
                created_at=T0,
                last_error=OLD,
            )
        )
        s.add(
            models.OutboxItem(
                topic="assessment",
                key="site1:d",
                site_id="site1",
                day=T0.date(),
                payload={},
                next_attempt_at=T0,
                created_at=T0,
                last_error=OLD,
            )
        )
        s.commit()


def _dump(sessions: sessionmaker[Session]) -> str:
    with sessions() as s:
        return "\n".join(repr(s.execute(select(t)).all()) for t in models.Base.metadata.sorted_tables)


def test_stored_passwords_are_masked_once_and_for_all(sessions: sessionmaker[Session]) -> None:
    _seed(sessions)
    parse_config(config_dict([OLD]))  # the configuration makes its secrets known
    with sessions() as s:
        changed = redact_stored(s)
    dump = _dump(sessions)
    assert "CCC333" not in dump and "Tok-777" not in dump
    assert "rtsp://admin:***@10.7.7.7:554/live?access_token=***" in dump
    assert changed.pop("outbox.last_error") == 2  # the alert event's and the record's
    assert set(changed.values()) == {1} and len(changed) == 7  # one row in each other column
    with sessions() as s:
        assert sum(redact_stored(s).values()) == 0


def test_the_command_masks_urls_even_without_the_configuration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    engine = make_engine(url)
    migrate(engine)
    sessions = make_session_factory(engine)
    _seed(sessions)
    assert main(["db", "redact", "--database-url", url]) == 0
    assert "cameras.status_reason\t1" in capsys.readouterr().out
    assert "Tok-777" not in _dump(sessions) and "Slash/Pw" not in _dump(sessions)
    assert "Slash%2FPw-CCC333" in _dump(sessions)  # no URL around it: only the known secret finds it
    path = write_config(tmp_path / "c.yaml", config_dict([OLD]))
    assert main(["db", "redact", "--database-url", url, "--config", str(path)]) == 0
    assert "CCC333" not in _dump(sessions)
    engine.dispose()
