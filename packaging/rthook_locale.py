"""PyInstaller runtime hook: a UTF-8 character type when the environment names no locale.

Started with an empty environment (`env -i`, some service managers and kiosk sessions), the
C locale is ASCII; Qt then switches to C.UTF-8 itself but says so on every start. Choosing
C.UTF-8 for the character type only (not the language: messages, dates and the app's
language still follow the system) before Qt starts keeps file names and text in UTF-8."""

import os
import sys

if sys.platform != "win32" and not any(os.environ.get(k) for k in ("LC_ALL", "LC_CTYPE", "LANG")):
    os.environ["LC_CTYPE"] = "C.UTF-8"
