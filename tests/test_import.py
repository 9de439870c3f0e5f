import subprocess
import sys


def test_import_is_light():
    code = (
        "import sys, gsmooth; "
        "print(' '.join(m for m in ('cupy', 'matplotlib', 'pandas', 'torch', 'sympy', 'sklearn') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_cli_help_lists_commands():
    out = subprocess.run(
        [sys.executable, "-m", "gsmooth.cli", "--help"], capture_output=True, text=True, check=True
    )
    assert "COMMAND" in out.stdout
