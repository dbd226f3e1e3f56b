"""`python -m voice` (`make voice`): write every locale's interaction model from its grammar."""

from __future__ import annotations

import json
import sys

from .grammar import OUTPUTS, GrammarError, build, locales


def main() -> int:
    for locale in locales():
        try:
            model = build(locale)
        except GrammarError as bad:
            print(f"voice/{locale}.toml: {bad}", file=sys.stderr)
            return 2
        text = json.dumps(model, indent=2, ensure_ascii=False) + "\n"
        for folder in OUTPUTS:
            (folder / f"{locale}.json").write_text(text, encoding="utf-8")
        counts = {i["name"]: len(i.get("samples", [])) for i in model["interactionModel"]["languageModel"]["intents"]}
        print(f"{locale}: {sum(counts.values())} samples in {len(counts)} intents")
    return 0


if __name__ == "__main__":
    sys.exit(main())
