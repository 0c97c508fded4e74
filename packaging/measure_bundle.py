"""Measure the built bundle as a ward PC would start it (Linux; run after build.py):

    python packaging/measure_bundle.py [--display :99] [--png FILE]

- the bundle's and the .deb's size;
- launch to the first window: `emrwriter` (the desktop app) started in an empty
  environment on an X display (Xvfb here), timed until its top-level window is mapped
  (xwininfo, from x11-utils); the screen is then saved as a PNG (xwd + netpbm) to look at;
- launch to the first drafted token: `emrwriter draft <the English sample>` in an empty
  environment, timed until the progress line of the first written token (the command line
  prints one when a section's phase turns to "writing");
- the machine's load while measuring, since the figures depend on it.

Every start is a cold one for the app (fresh HOME: no settings, no prefix cache), while
the operating system's file cache is warm after the first run, as on a PC that is in use.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUNDLE = ROOT / "dist" / "EMRWriter"
EXE = BUNDLE / "emrwriter"
SAMPLE = BUNDLE / "_internal" / "emrwriter" / "bundled" / "samples" / "en_heart_failure"


def size_mb(path: Path) -> float:
    if path.is_file():
        return round(path.stat().st_size / 1e6, 1)
    return round(sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink()) / 1e6, 1)


def clean_env(home: str, **extra: str) -> dict:
    return {"HOME": home, **extra}


def window_ids(display: str) -> set[str]:
    out = subprocess.run(["xwininfo", "-root", "-children", "-display", display], capture_output=True, text=True).stdout
    return {line.split()[0] for line in out.splitlines() if line.strip().startswith("0x") and "EMRWriter" in line}


def mapped(display: str, window: str) -> bool:
    out = subprocess.run(["xwininfo", "-id", window, "-display", display], capture_output=True, text=True).stdout
    return "IsViewable" in out


def first_window(display: str, png: Path | None, timeout: float = 300) -> float:
    with tempfile.TemporaryDirectory() as home:
        started = time.monotonic()
        app = subprocess.Popen(
            [str(EXE)], env=clean_env(home, DISPLAY=display), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        try:
            while time.monotonic() - started < timeout:
                if app.poll() is not None:
                    raise SystemExit(
                        f"the app exited with {app.returncode}: {app.stderr.read().decode(errors='replace')[-2000:]}"
                    )
                if any(mapped(display, w) for w in window_ids(display)):
                    seconds = time.monotonic() - started
                    break
                time.sleep(0.05)
            else:
                raise SystemExit(f"no window within {timeout} s")
            if png:
                time.sleep(3)  # let the first paint finish before the picture
                xwd = subprocess.run(["xwd", "-root", "-silent", "-display", display], capture_output=True, check=True).stdout
                pnm = subprocess.run(["xwdtopnm"], input=xwd, capture_output=True, check=True).stdout
                png.write_bytes(subprocess.run(["pnmtopng"], input=pnm, capture_output=True, check=True).stdout)
            return round(seconds, 2)
        finally:
            app.terminate()
            try:
                app.wait(20)
            except subprocess.TimeoutExpired:
                app.kill()


def first_token(whole: bool, timeout: float = 3600) -> dict:
    """Launch to the first written token of `emrwriter draft` on the English sample; the
    draft is then stopped unless `whole` (a whole draft takes many minutes on a loaded PC)."""
    with tempfile.TemporaryDirectory() as home:
        out = Path(home) / "draft.docx"
        started = time.monotonic()
        proc = subprocess.Popen(
            [str(EXE), "draft", str(SAMPLE), "--out", str(out)],
            env=clean_env(home),
            cwd=home,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        result: dict = {}
        lines = []
        for line in proc.stderr:
            lines.append(line.rstrip())
            if "first_token_seconds" not in result and ": writing " in line:
                result["first_token_seconds"] = round(time.monotonic() - started, 2)
                result["first_token_line"] = line.strip()
                if not whole:
                    proc.terminate()
                    break
            if time.monotonic() - started > timeout:
                proc.kill()
                break
        proc.wait()
        if "first_token_seconds" not in result:
            raise SystemExit(f"no token written ({proc.returncode}):\n" + "\n".join(lines[-20:]))
        if whole:
            if proc.returncode != 0 or not out.is_file():
                raise SystemExit(f"draft failed ({proc.returncode}):\n" + "\n".join(lines[-20:]))
            result["whole_draft_seconds"] = round(time.monotonic() - started, 1)
        return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--display", default=os.environ.get("DISPLAY"), help="an X display (start Xvfb :99 first)")
    parser.add_argument("--png", type=Path, help="save the screen with the first window here")
    parser.add_argument("--skip-draft", action="store_true")
    parser.add_argument("--whole-draft", action="store_true", help="let the draft finish and time it too")
    args = parser.parse_args()
    if not EXE.is_file():
        raise SystemExit(f"no bundle at {BUNDLE}: run python packaging/build.py first")
    result = {"bundle_mb": size_mb(BUNDLE), "load_average_before": os.getloadavg()[0]}
    debs = sorted((ROOT / "dist").glob("emrwriter_*.deb"))
    if debs:
        result["deb_mb"] = size_mb(debs[-1])
    if args.display:
        result["first_window_seconds"] = [first_window(args.display, args.png if i == 0 else None) for i in range(3)]
    if not args.skip_draft:
        result.update(first_token(args.whole_draft))
    result["load_average_after"] = os.getloadavg()[0]
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
