from __future__ import annotations

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse
from sqlalchemy import func, select

from api.deps import SessionDep, SnapshotRootDep
from api.schemas import CameraOut, SampleOut, SiteOut
from monitor.store import models

router = APIRouter(tags=["sites"])


def _sample_out(row: models.Sample) -> SampleOut:
    return SampleOut(
        id=row.id,
        slot_at=row.slot_at,
        captured_at=row.captured_at,
        status=row.status,
        reason=row.reason,
        workers=row.workers,
        machinery=row.machinery,
        vehicles=row.vehicles,
        snapshot_url=f"/api/samples/{row.id}/snapshot" if row.snapshot_path else None,
    )


@router.get("/api/sites", response_model=list[SiteOut])
def list_sites(session: SessionDep) -> list[SiteOut]:
    """Every site in service, with each camera's health and latest sample."""
    latest_ids = select(func.max(models.Sample.id).label("id")).group_by(models.Sample.camera_pk).subquery()
    latest = {
        s.camera_pk: s
        for s in session.scalars(select(models.Sample).join(latest_ids, models.Sample.id == latest_ids.c.id))
    }
    cameras: dict[str, list[models.Camera]] = {}
    for cam in session.scalars(
        select(models.Camera).where(models.Camera.active).order_by(models.Camera.site_id, models.Camera.camera_id)
    ):
        cameras.setdefault(cam.site_id, []).append(cam)
    out = []
    for site in session.scalars(select(models.Site).where(models.Site.active).order_by(models.Site.id)):
        out.append(
            SiteOut(
                id=site.id,
                name=site.name,
                district=site.district,
                batch=site.batch,
                responsible_unit=site.responsible_unit,
                planned_investment=site.planned_investment,
                cameras=[
                    CameraOut(
                        id=cam.camera_id,
                        name=cam.name,
                        status=cam.status,
                        status_reason=cam.status_reason,
                        status_since=cam.status_since,
                        last_sample_at=cam.last_sample_at,
                        latest_sample=_sample_out(latest[cam.id]) if cam.id in latest else None,
                    )
                    for cam in cameras.get(site.id, [])
                ],
            )
        )
    return out


@router.get("/api/samples/{sample_id}/snapshot", response_class=FileResponse)
def sample_snapshot(sample_id: int, session: SessionDep, root: SnapshotRootDep) -> FileResponse:
    """The annotated JPEG of one sample."""
    row = session.get(models.Sample, sample_id)
    if row is None or not row.snapshot_path:
        raise HTTPException(404, f"sample {sample_id} has no snapshot")
    path = (root / row.snapshot_path).resolve()
    if not path.is_relative_to(root.resolve()) or not path.is_file():
        raise HTTPException(404, f"snapshot of sample {sample_id} is no longer on disk")
    return FileResponse(path, media_type="image/jpeg")
