"""Exercise checks, one module per lesson (``from heartdata.checks import lesson00 as check``)."""
