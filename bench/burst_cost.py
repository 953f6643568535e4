"""What a short burst per sample would cost (issue 25): decoding the frames of 1-2 s more of a camera's stream
after the first picture, as a grab would to see work in place within the burst.

    .venv/bin/python bench/burst_cost.py

For the sample footage (640x352, H.264, 25 fps) and the same footage at 1920x1080: the CPU time to open and
decode the first picture (what a grab does today), and to decode on for 1 s and 2 s. Reported as the ratio to
today's grab, in the same run.
"""

from __future__ import annotations

import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import av
from common import save

from tests.fixtures.servers import SAMPLE_VIDEO


def decode(path: Path, seconds: float) -> float:
    """CPU seconds to open ``path`` and decode ``seconds`` of it (0: the first picture only)."""
    started = time.process_time()
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        first = None
        for frame in container.decode(stream):
            first = first if first is not None else frame.time or 0.0
            frame.to_ndarray(format="bgr24") if seconds == 0 else None
            if (frame.time or 0.0) - first >= seconds:
                break
    return time.process_time() - started


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        hd = Path(tmp) / "hd.mp4"
        subprocess.run(
            [
                "ffmpeg",
                "-loglevel",
                "error",
                "-i",
                str(SAMPLE_VIDEO),
                "-t",
                "10",
                "-vf",
                "scale=1920:1080",
                "-c:v",
                "libx264",
                "-preset",
                "veryfast",
                "-g",
                "50",
                str(hd),
            ],
            check=True,
        )
        out = {}
        for name, path in (("640x352", SAMPLE_VIDEO), ("1920x1080", hd)):
            runs = {s: statistics.median(decode(path, s) for _ in range(7)) for s in (0.0, 1.0, 2.0)}
            out[name] = {
                "first_picture_ms": round(runs[0.0] * 1000, 1),
                "burst_1s_ms": round(runs[1.0] * 1000, 1),
                "burst_2s_ms": round(runs[2.0] * 1000, 1),
                "ratio_1s": round(runs[1.0] / runs[0.0], 2),
                "ratio_2s": round(runs[2.0] / runs[0.0], 2),
            }
            print(name, out[name], flush=True)
    print(f"written to {save('burst_cost', out)}")


if __name__ == "__main__":
    main()
