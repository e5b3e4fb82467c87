"""Peak memory of an audio render: 1-minute vs 60-minute master.

Each render runs in a fresh subprocess; its peak RSS (``ru_maxrss`` of the Python process
and, separately, the largest ffmpeg child) is reported. Streaming processing means the two
should be within 20 % of each other and well under 250 MB.

Run: ``python benchmarks/media_memory.py [long_minutes]`` from the repository root.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT.parent / "shared" / "samples" / "vi_segment_48k_stereo.wav"

CHILD = textwrap.dedent(
    """
    import json, resource, sys
    from pathlib import Path
    sys.path.insert(0, sys.argv[3])
    from media_pipeline import render_audio
    src, out = Path(sys.argv[1]), Path(sys.argv[2])
    render_audio(src, {"loudspeaker": out / "a.mp3", "broadcast": out / "b.wav",
                       "web_audio": out / "c.m4a"})
    print(json.dumps({
        "python_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "ffmpeg_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    }))
    """
)


def measure(src: Path, out: Path) -> dict[str, int]:
    res = subprocess.run(
        [sys.executable, "-c", CHILD, str(src), str(out), str(ROOT)],
        capture_output=True,
        text=True,
        check=True,
    )
    data: dict[str, int] = json.loads(res.stdout.strip().splitlines()[-1])
    return data


def main() -> None:
    long_minutes = float(sys.argv[1]) if len(sys.argv) > 1 else 60.0
    with tempfile.TemporaryDirectory(prefix="bench-mem-") as tmp:
        d = Path(tmp)
        results = {}
        for minutes in (1.0, long_minutes):
            src = d / f"m{minutes:g}.wav"
            subprocess.run(
                [
                    "ffmpeg",
                    "-v",
                    "error",
                    "-y",
                    "-stream_loop",
                    "-1",
                    "-i",
                    str(SAMPLE),
                    "-t",
                    str(minutes * 60),
                    str(src),
                ],
                check=True,
            )
            results[minutes] = measure(src, d)
            r = results[minutes]
            peak = max(r.values()) / 1024
            print(
                f"{minutes:5g} min master: python {r['python_kb'] / 1024:6.1f} MB, "
                f"largest ffmpeg {r['ffmpeg_kb'] / 1024:6.1f} MB, peak {peak:6.1f} MB"
            )
            src.unlink()
        short, long_ = (max(results[k].values()) for k in (1.0, long_minutes))
        print(f"peak ratio {long_minutes:g} min / 1 min = {long_ / short:.2f} (target within 1.20)")
        print(f"peak {long_ / 1024:.0f} MB (target < 250 MB)")


if __name__ == "__main__":
    main()
