"""The bundle's entry point: `emrwriter ...` runs the command line (which opens the
desktop app when given no command). `emrwriter -m MODULE ...` runs a bundled module
as `python -m MODULE` would, so code that starts a helper process with
`sys.executable -m ...` works from the bundle too."""

import runpy
import sys

if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "-m":
        module = sys.argv[2]
        sys.argv = [sys.argv[0], *sys.argv[3:]]
        runpy.run_module(module, run_name="__main__", alter_sys=True)
        sys.exit(0)
    from emrwriter.cli import main

    sys.exit(main())
