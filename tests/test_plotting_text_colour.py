"""Text written in a meaning's hue (a direct label, a key) reaches WCAG 2.1's 4.5:1 contrast on white, keeps the
meaning's hue, and is the meaning's own colour when that already reaches it (review r22-fig 09-17, 09-59)."""

from __future__ import annotations

import colorsys

import pytest
from matplotlib.colors import to_rgb

from heartdata.plotting import COLOURS, TEXT_MIN_CONTRAST, contrast_on_white, text_colour


def test_contrast_matches_wcag_endpoints():
    # WCAG 2.1 definition: black on white is 21:1, white on white 1:1, and mid grey #777777 about 4.48:1
    assert contrast_on_white("#000000") == pytest.approx(21.0)
    assert contrast_on_white("#FFFFFF") == pytest.approx(1.0)
    assert contrast_on_white("#777777") == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize("name", list(COLOURS))
def test_text_colour_is_readable_and_keeps_the_hue(name):
    own, text = COLOURS[name], text_colour(name)
    assert contrast_on_white(text) >= TEXT_MIN_CONTRAST
    if contrast_on_white(own) >= TEXT_MIN_CONTRAST:
        assert text.upper() == own.upper()  # already readable: unchanged
    else:  # darker, same hue and saturation, and only just dark enough
        h0, l0, s0 = colorsys.rgb_to_hls(*to_rgb(own))
        h1, l1, s1 = colorsys.rgb_to_hls(*to_rgb(text))
        assert l1 < l0 and h1 == pytest.approx(h0, abs=0.01) and s1 == pytest.approx(s0, abs=0.05)
        lighter = colorsys.hls_to_rgb(h1, l1 + 0.02, s1)
        assert contrast_on_white(lighter) < TEXT_MIN_CONTRAST


def test_the_pale_hues_the_review_named_are_darkened():
    # orange (PTB-XL) and sky blue (typical error) were 9-pt labels at about 2.3:1
    for name in ("PTB-XL", "typical error"):
        assert contrast_on_white(COLOURS[name]) < 3
        assert text_colour(name) != COLOURS[name].upper()
