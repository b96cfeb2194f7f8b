"""Draw the pictures kept in the repository (the README shows them, so they are files).

    python tools/make_pictures.py

`tests/test_docs.py` checks that each kept picture looks like what the library draws now.
"""

from __future__ import annotations

from pathlib import Path

from regtimeline import plot
from regtimeline.examples import twitter_russia

IMG = Path(__file__).resolve().parent.parent / "docs" / "img"

#: name -> how to draw it
PICTURES = {
    "founding-case.png": lambda: plot.dispute(twitter_russia(), until="2022-06-01"),
}


def main() -> None:
    """Draw every kept picture into docs/img."""
    IMG.mkdir(exist_ok=True)
    for name, draw in PICTURES.items():
        plot.save(draw(), IMG / name, dpi=110)
        print(IMG / name)


if __name__ == "__main__":
    main()
