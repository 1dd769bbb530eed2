"""The package itself: quick to import, submodules loaded when first used."""

from __future__ import annotations

import subprocess
import sys


def _modules_after(code: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", code + "; import sys; print(' '.join(sys.modules))"],
                         capture_output=True, text=True, check=True).stdout  # fmt: skip
    return set(out.split())


def test_import_heartdata_loads_no_data_library():
    loaded = _modules_after("import heartdata")
    assert not {"wfdb", "pandas", "sklearn", "matplotlib"} & loaded


def test_submodules_and_download_are_there_when_asked_for():
    loaded = _modules_after(
        "import heartdata; heartdata.ptbxl; heartdata.download; from heartdata import challenge2012"
    )
    assert {"heartdata.ptbxl", "heartdata.physionet", "heartdata.challenge2012"} <= loaded
    assert "wfdb" not in _modules_after("import heartdata; heartdata.ptbxl.load_metadata")


def test_an_unknown_name_is_an_attribute_error():
    import heartdata

    try:
        heartdata.no_such_thing  # noqa: B018
    except AttributeError as exc:
        assert "no_such_thing" in str(exc)
    else:
        raise AssertionError("heartdata.no_such_thing did not raise AttributeError")
