"""Apps depend one way (console ← audit ← orgs ← identity ← feedback ← retention ← api) and no app's modules import in a circle.

The contracts are import-linter's, in pyproject.toml; an import placed inside a function counts.
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_import_contracts_are_kept():
    linter = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(linter), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout[-4000:]
    assert "2 kept, 0 broken" in result.stdout
