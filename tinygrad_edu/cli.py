"""The command line: `tinygrad-edu demo` (or `python -m tinygrad_edu demo`).

The demo trains a small ConvNet on the 8x8 handwritten digits that ship with the package, so
it runs offline in seconds: the whole of deep learning in one command, built from the pieces of
this package (Tensor, nn, optim, data, save). The network is `models.DigitsConvNet`, the
training loop `training.train`; this file only reads the arguments, checks them, makes the
output folder and writes what the run leaves there.

    tinygrad-edu demo                   # ~98% held-out accuracy, saves runs/demo/model.safetensors
    tinygrad-edu demo --quick           # a few seconds, fewer epochs
    tinygrad-edu demo --device cuda     # the same on an NVIDIA GPU (needs CuPy)
    tinygrad-edu export runs/demo/model.safetensors --onnx model.onnx   # for ONNX Runtime

Without --device the run uses the default device, which the environment variable
TINYGRAD_EDU_DEVICE may set; --device wins over it.

Every argument and the output folder are checked before training starts, so that a run never
trains for minutes and then fails on something it could have seen at once. Exit codes: 0 on
success; 2 for a bad argument or an output folder that cannot take the run's files, found
before training; 1 for a run that cannot start or finish (no GPU, a missing extra, a loss that
became NaN, a model that could not be saved where asked: the message then says where it went).
Errors are short lines on stderr (argparse adds its usage lines), never a traceback; notes
(a missing optional extra, pictures not drawn) go to stderr too, so stdout holds only results.
`--help` lists the same examples, variables and exit codes.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import math
import shutil
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any, Collection, Sequence

import tinygrad_edu as tg
from tinygrad_edu import backend, nn, serialization
from tinygrad_edu.models import DigitsConvNet, digits_mlp
from tinygrad_edu.training import NonFiniteLossError, accuracy, digits_split, train
from tinygrad_edu.viz.drawing import PYTHON_PACKAGE_HINT

DEFAULT_EPOCHS = 15
QUICK_EPOCHS = 3
MODEL_FILE = "model.safetensors"
HISTORY_FILE = "history.json"
# Every file a run may write into its folder: these two, and the pictures of viz/report.py.
OUTPUT_FILES = (MODEL_FILE, HISTORY_FILE, "loss_curve.png", "conv1_kernels.png", "feature_maps.png",
                "model_graph.svg", "model_graph_ops.svg", "model_graph.dot", "model_graph_ops.dot")


# What the demo uses beyond NumPy: (module, the extra that brings it, what for). Only the first is
# needed; without the others the run still trains and saves. All are checked at once, before
# training, so that a bare install learns everything it lacks from one line.
DEMO_MODULES = (("safetensors", "io", "saving the model"),
                ("matplotlib", "plot", "the pictures"),
                ("tqdm", "plot", "the progress bar"),
                ("graphviz", "viz", "the model's graph"))
NEEDED_MODULES = {"safetensors"}

EPILOG_ENVIRONMENT = """\
environment variables:
  TINYGRAD_EDU_DEVICE  the device to compute on (cpu or cuda) when --device is not given

exit codes:
  0    success
  1    the run could not start or finish: no usable GPU, a missing extra, a loss that
       became NaN, a model that could not be saved where asked (the message says where it went)
  2    a bad argument, or a path that cannot be used: an output folder that cannot take the
       run's files, a model file that is not there (found before any work starts)
  130  interrupted (Ctrl-C)

Results go to stdout; notes, warnings, errors and the progress bar go to stderr."""

EPILOG_MAIN = f"""\
examples:
  tinygrad-edu demo --quick              a few seconds of training; the model goes to runs/demo
  tinygrad-edu demo --device cuda        the full demo on an NVIDIA GPU (needs the cuda extra)
  tinygrad-edu export runs/demo/model.safetensors --onnx model.onnx
  tinygrad-edu view examples/07_backprop_by_hand.py --quick
  python -m tinygrad_edu demo --help     the same commands without the installed script

{EPILOG_ENVIRONMENT}"""

EPILOG_DEMO = f"""\
examples:
  tinygrad-edu demo                      {DEFAULT_EPOCHS} epochs, about 98% of the held-out digits right
  tinygrad-edu demo --quick --out /tmp/run
  tinygrad-edu demo --epochs 30 --lr 0.001 --seed 1
  TINYGRAD_EDU_DEVICE=cuda tinygrad-edu demo

{EPILOG_ENVIRONMENT}"""


class UserError(Exception):
    """A problem the user can fix; printed as one line, without a traceback."""
    exit_code = 1


class UsageError(UserError):
    """A bad argument or output folder, found before training; exit code 2, like argparse's errors."""
    exit_code = 2


def _choose_device(name: str | None) -> str:
    """--device when it is given, else the default device (which TINYGRAD_EDU_DEVICE may set).

    The choice becomes the default device, so that every tensor of the run lives there, also
    the ones made without device= (--device wins over a variable that names another device).
    """
    try:
        device = backend.normalize_device(name)
        backend.set_default_device(device)
    except ValueError as e:     # an unknown device: a bad value, like a bad argument
        raise UsageError(str(e)) from None
    except RuntimeError as e:   # a known device that cannot run here, e.g. cuda without a GPU
        raise UserError(str(e)) from None
    return device


def _prepare_out_dir(out: Path) -> Path:
    """Make the output folder and make sure that every file of the run can be written there."""
    if out.exists() and not out.is_dir():
        raise UsageError(f"the output folder {str(out)!r} is a file, not a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise UsageError(f"cannot create the output folder {str(out)!r}: {e.strerror or e}") from None
    for name in OUTPUT_FILES:
        if (out / name).is_dir():
            raise UsageError(f"cannot write {str(out / name)!r}: a folder of that name is in the way")
    try:   # permission bits do not stop root, and say nothing of read-only disks: really write
        with tempfile.NamedTemporaryFile(dir=out, prefix=".tinygrad-edu-probe-"):
            pass
    except OSError as e:
        raise UsageError(f"cannot write into the output folder {str(out)!r}: {e.strerror or e}") from None
    return out


def _write_run(state: dict, record: dict, folder: Path) -> None:
    tg.save(state, folder / MODEL_FILE)
    (folder / HISTORY_FILE).write_text(json.dumps(record, indent=2) + "\n")


def _save_run(model: nn.Module, record: dict, out: Path) -> None:
    """Write the model and its history into `out`. When that fails although `out` was checked
    before training (a full disk, a folder removed meanwhile), write them into a new folder in
    the temp folder, else in the current one, and say where: a trained model is never lost
    without a word."""
    state = model.state_dict()
    try:
        _write_run(state, record, out)
        return
    except OSError as e:
        problem = f"could not save the trained model in {str(out)!r}: {e.strerror or e}"
    for parent in (tempfile.gettempdir(), Path.cwd()):
        fallback = None
        try:
            fallback = Path(tempfile.mkdtemp(prefix="tinygrad-edu-demo-", dir=parent))
            _write_run(state, record, fallback)
        except OSError:
            if fallback is not None:
                shutil.rmtree(fallback, ignore_errors=True)
            continue
        raise UserError(f"{problem}; it was written to {str(fallback / MODEL_FILE)!r} instead "
                        f"(with {HISTORY_FILE})")
    raise UserError(f"{problem}, nor in the temp folder or the current folder: the trained model is lost")


def _is_installed(module: str) -> bool:
    if module in sys.modules:
        return sys.modules[module] is not None   # None: importing it is blocked
    return importlib.util.find_spec(module) is not None


def _check_extras() -> set[str]:
    """The modules of DEMO_MODULES that are missing, all named in one line with one install
    command: an error when the demo needs one of them, else a note on stderr."""
    missing = [entry for entry in DEMO_MODULES if not _is_installed(entry[0])]
    if not missing:
        return set()
    extras = dict.fromkeys(extra for _, extra, _ in missing)   # in DEMO_MODULES' order, each once
    command = f'pip install "tinygrad_edu[{",".join(extras)}]"'
    listing = ", ".join(f"{module} ({extra} extra: {purpose})" for module, extra, purpose in missing)
    if any(module in NEEDED_MODULES for module, _, _ in missing):
        raise UserError(f"the demo needs {', '.join(m for m, _, _ in missing if m in NEEDED_MODULES)}; missing: "
                        f"{listing}; install what it uses in one go: {command}")
    print(f"note: running without {listing}; to have them: {command}", file=sys.stderr)
    return {module for module, _, _ in missing}


def _write_pictures(model: nn.Module, history: dict, sample_image: tg.Tensor, out: Path,
                    missing: Collection[str] = ()) -> list[Path]:
    """Pictures of the run, when the viz part of the package (and matplotlib) is there. What
    `missing` names was already noted before training, and is not noted again."""
    if "matplotlib" in missing:
        return []
    try:
        from tinygrad_edu.viz.report import write_demo_pictures
    except ImportError:
        return []
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", UserWarning)
            written = list(write_demo_pictures(model, history, sample_image, out))
    except (ImportError, OSError) as e:   # e.g. no matplotlib: the pictures are a bonus, not the point
        print(f"note: no pictures written: {e}", file=sys.stderr)
        return []
    for warning in caught:   # e.g. no Graphviz `dot`: one line with the hint, not a Python warning
        if "graphviz" in missing and PYTHON_PACKAGE_HINT in str(warning.message):
            continue
        print(f"note: {warning.message}", file=sys.stderr)
    return written


def run_demo(args: argparse.Namespace) -> int:
    device = _choose_device(args.device)
    epochs = args.epochs if args.epochs is not None else (QUICK_EPOCHS if args.quick else DEFAULT_EPOCHS)
    out = Path(args.out)
    try:
        missing = _check_extras()             # fail now, not after training
        serialization.require_safetensors()
        x_train, y_train, x_test, y_test = digits_split(args.seed, device)
    except ImportError as e:
        raise UserError(str(e)) from None
    _prepare_out_dir(out)

    if not args.no_tune_allocator:
        tg.tune_allocator()   # keep freed memory between steps; see tinygrad_edu/allocator.py
    tg.manual_seed(args.seed)
    model = DigitsConvNet().to(device)
    print(f"training a 4-layer ConvNet on {len(y_train)} digits ({len(y_test)} held out) on {device} "
          f"for {epochs} epochs")
    start = time.perf_counter()
    try:
        with warnings.catch_warnings():   # NumPy's overflow warnings: a NaN loss is reported below, in one line
            warnings.filterwarnings("ignore", r"(overflow|invalid value|divide by zero) encountered", RuntimeWarning)
            history = train(model, x_train, y_train, epochs, lr=args.lr, batch_size=args.batch_size,
                            seed=args.seed, test=(x_test, y_test), progress=True, log=print)
    except NonFiniteLossError as e:
        raise UserError(f"training stopped: the {e.what} became {e.value} at epoch {e.epoch}/{epochs}, "
                        f"step {e.step}/{e.steps}; nothing was saved. Try a lower --lr than {args.lr:g}, "
                        f"e.g. --lr {args.lr / 10:g}") from None
    seconds = time.perf_counter() - start
    test_accuracy = accuracy(model, x_test, y_test)
    print(f"test accuracy: {test_accuracy:.2%} ({round(test_accuracy * len(y_test))}/{len(y_test)} held-out digits)")
    print(f"time: {seconds:.1f} s")

    record = {"model": "DigitsConvNet", "model_file": MODEL_FILE, "device": device, "epochs": epochs,
              "batch_size": args.batch_size, "lr": args.lr, "seed": args.seed, "quick": args.quick,
              "test_accuracy": test_accuracy, "seconds": seconds, "history": history}
    _save_run(model, record, out)
    print(f"saved {out / MODEL_FILE} and {out / HISTORY_FILE}")
    for path in _write_pictures(model, history, x_test[:1], out, missing):
        print(f"wrote {path}")
    return 0


def _int_at_least(low: int, words: str) -> Any:
    """An argparse type: a whole number of at least `low` (`words` says so in the error)."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"must be {words}, got {value}")
        return value
    return parse


_positive_int = _int_at_least(1, "at least 1")
_non_negative_int = _int_at_least(0, "0 or more")


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not (math.isfinite(value) and value > 0):   # `not value > 0` alone would let inf through
        raise argparse.ArgumentTypeError(f"must be a finite number greater than 0, got {text!r}")
    return value


def _add_training_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--device", choices=["cpu", "cuda"], default=None,
                        help="where to compute (default: $TINYGRAD_EDU_DEVICE when it is set, else cpu)")
    parser.add_argument("--epochs", type=_positive_int, default=None,
                        help=f"passes over the training data (default: {DEFAULT_EPOCHS}, "
                             f"or {QUICK_EPOCHS} with --quick)")
    parser.add_argument("--seed", type=_non_negative_int, default=0,
                        help="seed for the split, the weights and the shuffling (default: 0)")
    parser.add_argument("--out", default="runs/demo", metavar="DIR",
                        help="folder for the model and its history (default: runs/demo)")
    parser.add_argument("--quick", action="store_true", help="a run of a few seconds with fewer epochs")
    parser.add_argument("--batch-size", type=_positive_int, default=32, help="samples per step (default: 32)")
    parser.add_argument("--lr", type=_positive_float, default=3e-3, help="Adam's learning rate (default: 0.003)")
    parser.add_argument("--no-tune-allocator", action="store_true",
                        help="leave the C allocator as it is (by default the demo calls tg.tune_allocator())")


def run_view(args: argparse.Namespace) -> int:
    """Run a script, make the backprop player page of its graph, and open it (or write it to --out)."""
    import webbrowser
    from tinygrad_edu.viz.player.script import NothingToShow, page_from_script
    script = Path(args.script)
    if not script.is_file():
        raise UsageError(f"view: no such script: {script}")
    try:
        page = page_from_script(script, args.script_args)
    except NothingToShow as e:
        raise UserError(str(e)) from None
    except SystemExit as e:   # the script's own argument parser refused its arguments
        raise UserError(f"view: {script} exited with status {e.code}") from None
    out = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="tinygrad_edu_view_")) / f"{script.stem}.html"
    page.save(out)
    print(f"wrote {out}")
    if not args.out:
        webbrowser.open(out.resolve().as_uri())
    return 0


def _digits_model_from(state: dict) -> nn.Module:
    """The digits ConvNet (or MLP) whose state_dict `state` is, its sizes read off the weights."""
    shapes = {name: tuple(t.shape) for name, t in state.items()}
    if "conv1.weight" in shapes and "fc2.weight" in shapes:
        model: nn.Module = DigitsConvNet(channels=(shapes["conv1.weight"][0], shapes["conv2.weight"][0]),
                                         hidden=shapes["fc1.weight"][0], classes=shapes["fc2.weight"][0])
    elif {"1.weight", "3.weight", "5.weight"} <= set(shapes):
        model = digits_mlp(hidden=(shapes["1.weight"][0], shapes["3.weight"][0]), classes=shapes["5.weight"][0])
    else:
        raise UserError(f"export: the file holds neither a DigitsConvNet nor a digits MLP state_dict "
                        f"(its tensors: {', '.join(sorted(shapes)[:6])}{', ...' if len(shapes) > 6 else ''}); "
                        f"export other models from Python with tg.onnx.export")
    try:
        model.load_state_dict(state)
    except (KeyError, RuntimeError, ValueError) as e:
        raise UserError(f"export: the weights do not fit the model: {e}") from None
    return model


def run_export(args: argparse.Namespace) -> int:
    """Write a model that `demo` saved as ONNX: a dynamic batch of (N, 1, 8, 8) images in, (N, 10) logits out."""
    source, target = Path(args.model), Path(args.onnx)
    if not source.is_file():
        raise UsageError(f"export: no such model file: {source} (tinygrad-edu demo saves runs/demo/{MODEL_FILE})")
    try:
        tg.onnx.exporter.require_onnx()
        state = tg.load(source)
    except (ImportError, ValueError, OSError) as e:
        raise UserError(str(e)) from None
    model = _digits_model_from(state)
    batch = {0: "batch"}
    try:
        proto = tg.onnx.export(model, tg.zeros(1, 1, 8, 8), target, input_names=["image"], output_names=["logits"],
                               dynamic_axes={"image": batch, "logits": batch}, opset_version=args.opset)
    except (ValueError, OSError) as e:
        raise UserError(f"export: {e}") from None
    classes = proto.graph.output[0].type.tensor_type.shape.dim[1].dim_value
    print(f"wrote {target}: {type(model).__name__}, input 'image' (N, 1, 8, 8), output 'logits' (N, {classes}), "
          f"opset {args.opset}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tinygrad-edu", description="tinygrad_edu: see deep learning work.",
                                     epilog=EPILOG_MAIN, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"%(prog)s {tg.__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, text in (("demo", "train a 4-layer ConvNet on handwritten digits and save it"),
                       ("train", "the same as demo")):
        sub = commands.add_parser(name, help=text, description=text, epilog=EPILOG_DEMO,
                                  formatter_class=argparse.RawDescriptionHelpFormatter)
        _add_training_options(sub)
        sub.set_defaults(run=run_demo)
    text = "run a script (such as an example) and open the backprop player page of its graph"
    view = commands.add_parser("view", help=text, description=text + " (as `python -m cProfile`: options of "
                               "view first, then the script and its own arguments)")
    view.add_argument("--out", default=None, help="write the page here instead of opening it in a browser")
    view.add_argument("script", help="a Python file, e.g. examples/07_backprop_by_hand.py")
    view.add_argument("script_args", nargs=argparse.REMAINDER, help="the script's own arguments, e.g. --quick")
    view.set_defaults(run=run_view)
    text = "write a model that demo saved (model.safetensors) as ONNX, for ONNX Runtime"
    export = commands.add_parser("export", help=text, description=text + " (needs the onnx extra)")
    export.add_argument("model", help=f"the saved state_dict, e.g. runs/demo/{MODEL_FILE}")
    export.add_argument("--onnx", required=True, metavar="FILE", help="the ONNX file to write, e.g. model.onnx")
    export.add_argument("--opset", type=_positive_int, default=tg.onnx.exporter.DEFAULT_OPSET,
                        help=f"ONNX opset version (default: {tg.onnx.exporter.DEFAULT_OPSET})")
    export.set_defaults(run=run_export)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)   # exits with code 2 and a usage line for bad arguments
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        return args.run(args)
    except UserError as e:
        print(f"tinygrad-edu: error: {e}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print("tinygrad-edu: interrupted", file=sys.stderr)
        return 130
