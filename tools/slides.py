"""Short slides for each lesson, taken from the lesson itself (``make slides``): ``build/slides/NN-topic.html``.

A deck is one static HTML page, offline (no script, no font, no image fetched from anywhere), one slide per screen
(scroll, or Page Down, moves slide by slide; printing gives one slide per page). Its slides are the lesson's own
words, so they cannot drift from it:

1. the title and the time (the lesson's first cell);
2. the questions the lesson answers;
3. the learning objectives;
4. the outline: the lesson's sections (its ``##`` headings);
5. the key points (the ``## Key points`` cell);
6. the questions to ask your clinician.

Links become their text (a slide is shown, not clicked). Numbers a lesson computes are not on the slides: they are
in the lesson, run live.

    python tools/slides.py                 # every lesson -> build/slides/, with an index.html
    python tools/slides.py notebooks/05-bias.ipynb --out /tmp/slides
"""

from __future__ import annotations

import argparse
import html
import re
import sys
from pathlib import Path

import mistune
import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
import coursefiles  # noqa: E402

OUT = coursefiles.REPO / "build" / "slides"
STYLE = """
html { scroll-snap-type: y mandatory; }
body { margin: 0; font-family: system-ui, sans-serif; color: #1a1a1a; background: #fff; }
section { box-sizing: border-box; min-height: 100vh; padding: 6vh 8vw; scroll-snap-align: start;
          border-bottom: 1px solid #ccc; font-size: clamp(18px, 2.4vw, 32px); line-height: 1.4; }
h1 { font-size: 1.9em; margin-top: 0; } h2 { font-size: 1.4em; margin-top: 0; color: #21455e; }
.meta { color: #555; } code { font-size: 0.9em; background: #f3f3f3; padding: 0 0.2em; }
@media print { section { page-break-after: always; min-height: auto; border: none; } }
"""


def _block_after(text: str, marker: str) -> str:
    """The Markdown list that follows the line starting with ``marker`` (up to the next blank line)."""
    m = re.search(rf"^{re.escape(marker)}.*?\n((?:[-*] .*\n?|\d+\. .*\n?|  +.*\n?)+)", text, re.M)
    return m[1].strip() if m else ""


def _unlink(text: str) -> str:
    return re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)


def slides(lesson: Path) -> list[tuple[str, str]]:
    """(heading, Markdown body) for each slide of ``lesson``."""
    nb = nbformat.read(lesson, as_version=4)
    md = [c.source for c in nb.cells if c.cell_type == "markdown"]
    first = md[0]
    title = re.search(r"^# (.+)$", first, re.M)[1]
    time = re.search(r"\*\*Time\*\* \| ([^|\n]+)", first)
    out = [(title, f'<p class="meta">{html.escape(time[1].strip())}</p>' if time else "")]
    out.append(("Questions", _block_after(first, "**Questions**")))
    out.append(("By the end of this lesson you can", _block_after(first, "**Learning objectives.**")))
    sections = [h for text in md[1:] for h in re.findall(r"^## (.+)$", text, re.M)]
    body = [h for h in sections if not re.match(r"(Key points|Questions to ask|Where next)", h)]
    out.append(("Outline", "\n".join(f"- {h}" for h in body)))
    text = "\n\n".join(md)
    for name in ("Key points", "Questions to ask your clinician"):
        m = re.search(rf"^## {name}[^\n]*\n(.*?)(?=^#{{1,2}} |\Z)", text, re.M | re.S)
        out.append((name, m[1].strip() if m else ""))
    return [(h, b) for h, b in out if b or h == title]


def render(lesson: Path) -> str:
    parts = []
    for i, (heading, body) in enumerate(slides(lesson)):
        tag = "h1" if i == 0 else "h2"
        content = body if body.startswith("<p") else mistune.html(_unlink(body))
        parts.append(f"<section><{tag}>{html.escape(heading)}</{tag}>\n{content}</section>")
    title = html.escape(coursefiles.title(lesson))
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{title}: slides</title>\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n<style>{STYLE}</style></head>\n'
            f"<body>\n{chr(10).join(parts)}\n</body></html>\n")  # fmt: skip


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Write a static slide deck for each lesson.")
    parser.add_argument("lessons", nargs="*", type=Path, help="lesson notebooks (default: every lesson)")
    parser.add_argument("--out", type=Path, default=OUT, help="folder for the decks (default: build/slides)")
    args = parser.parse_args(argv)
    lessons = args.lessons or coursefiles.lessons()
    from heartdata.paths import is_shipped

    if is_shipped(args.out):
        print(f"{args.out} is inside the course's data: choose another --out", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    items = []
    for lesson in lessons:
        if not lesson.is_file():
            print(f"{lesson}: no such lesson notebook", file=sys.stderr)
            return 2
        (args.out / f"{lesson.stem}.html").write_text(render(lesson), encoding="utf-8")
        items.append(f'<li><a href="{lesson.stem}.html">{html.escape(coursefiles.title(lesson))}</a></li>')
    index = (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Slides</title></head>\n'
             f"<body><h1>Slides, one deck per lesson</h1><ul>{''.join(items)}</ul></body></html>\n")  # fmt: skip
    (args.out / "index.html").write_text(index, encoding="utf-8")
    print(f"wrote {len(items)} decks into {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
