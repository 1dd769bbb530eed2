"""Colour-vision-deficiency simulation and colour difference, for the palette's tests and the figure audit.

Both come from colour-science (a test-only dependency, requirements-test.txt), so that the course does not carry its
own colour science:

- ``simulate``: Machado, Oliveira & Fernandes (2009), "A physiologically-based model for simulation of color vision
  deficiency", IEEE TVCG 15(6):1291-1298, at severity 1 (dichromacy), applied to linear sRGB as the paper does;
- ``delta_e``: CIEDE2000 (CIE 142-2001; Sharma, Wu & Dalal 2005, Color Res Appl 30:21-30), between CIELAB values
  under D65.
"""

from __future__ import annotations

import functools
import warnings

import numpy as np

KINDS = {"deuteranopia": "Deuteranomaly", "protanopia": "Protanomaly", "tritanopia": "Tritanomaly"}
#: The simulations every pair must pass; tritanopia (rare, 1 in 10 000) is reported, not required.
REQUIRED = ("deuteranopia", "protanopia")


def _colour():
    import colour  # colour-science; imported on use (1-2 s)

    return colour


def to_rgb(c) -> np.ndarray:
    """sRGB in [0, 1] from a hex string, a matplotlib colour name or an RGB(A) tuple; alpha is laid over white."""
    from matplotlib.colors import to_rgba

    r, g, b, a = to_rgba(c)
    return np.array([r, g, b]) * a + (1 - a)


@functools.lru_cache(maxsize=8)
def _matrix(kind: str) -> np.ndarray:
    with warnings.catch_warnings():  # colour-science warns that its tritanopia is an approximation (it is)
        warnings.simplefilter("ignore")
        return _colour().blindness.matrix_cvd_Machado2009(KINDS[kind], 1.0)


@functools.lru_cache(maxsize=4096)
def _lab(rgb: tuple, kind: str | None) -> tuple:
    colour = _colour()
    linear = colour.models.eotf_sRGB(np.asarray(rgb, dtype=float))
    if kind:
        linear = np.clip(_matrix(kind) @ linear, 0, 1)
    xyz = colour.RGB_to_XYZ(linear, colour.RGB_COLOURSPACES["sRGB"], apply_cctf_decoding=False)
    return tuple(colour.XYZ_to_Lab(xyz))


def simulate(c, kind: str) -> str:
    """``c`` as a reader with ``kind`` ("deuteranopia", "protanopia", "tritanopia") sees it, as a hex string."""
    colour = _colour()
    linear = colour.models.eotf_sRGB(to_rgb(c))
    linear = np.clip(_matrix(kind) @ linear, 0, 1)
    rgb = np.clip(colour.models.eotf_inverse_sRGB(linear), 0, 1)
    return "#" + "".join(f"{round(float(v) * 255):02X}" for v in rgb)


def delta_e(a, b, kind: str | None = None) -> float:
    """CIEDE2000 difference between colours ``a`` and ``b``, as seen with ``kind`` (None: normal vision)."""
    colour = _colour()
    la = _lab(tuple(np.round(to_rgb(a), 6)), kind)
    lb = _lab(tuple(np.round(to_rgb(b), 6)), kind)
    return float(colour.delta_E(np.array(la), np.array(lb), method="CIE 2000"))


def worst(a, b, kinds=REQUIRED) -> tuple[float, str]:
    """The smallest difference between ``a`` and ``b`` over ``kinds``, and the kind that gives it."""
    return min((delta_e(a, b, k), k) for k in kinds)
