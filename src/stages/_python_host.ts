/**
 * The Python side of the warm interpreter, as source text passed to `python3 -c` (the core
 * reads no files of its own). It speaks one JSON object per line:
 *
 * - in, on stdin: `{id, code, vars, context, traceparent?}`; a value
 *   `{"__workflow_python_object__": n}` anywhere in `vars` is the live object `n` kept from an
 *   earlier stage of the same interpreter;
 * - out, on a copy of the original stdout: `{id, ok: true, outputs, objects, stdout, stderr}` or
 *   `{id, ok: false, error, stdout, stderr}`. `objects` maps each top-level name whose value is
 *   not JSON (a function, an object) to `{id, display}`: the value stays here under `id`.
 *
 * User code never sees the protocol: `print` goes to a per-stage buffer, file descriptor 1
 * (child processes, `os.write(1, …)`) is pointed at stderr, and stdin reads as empty.
 *
 * @module
 */

/** Marker key of a live Python object in the `vars` of a request. */
export const PYTHON_OBJECT_KEY = "__workflow_python_object__";

/** Source of the interpreter host, run with `python3 -c`. */
export const PYTHON_HOST_SOURCE = `
import io, json, os, sys, traceback, types
_proto_in = os.fdopen(os.dup(0), "rb")
_proto_out = os.fdopen(os.dup(1), "wb")
_devnull = os.open(os.devnull, os.O_RDONLY)
os.dup2(_devnull, 0)
os.close(_devnull)
os.dup2(2, 1)
sys.stdin = io.StringIO("")
_KEY = ${JSON.stringify(PYTHON_OBJECT_KEY)}
_objects = {}
_real = (sys.stdout, sys.stderr)

def _live(value):
    if isinstance(value, dict):
        if len(value) == 1 and _KEY in value:
            return _objects[value[_KEY]]
        return {k: _live(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_live(v) for v in value]
    return value

def _display(value):
    if isinstance(value, (types.FunctionType, types.BuiltinFunctionType, types.MethodType)):
        return value.__name__
    return repr(value)

def _run(request):
    scope = dict(_live(request["vars"]))
    scope["context"] = request["context"]
    given = dict(scope)
    traceparent = request.get("traceparent")
    if traceparent:
        os.environ["TRACEPARENT"] = traceparent
    else:
        os.environ.pop("TRACEPARENT", None)
    out, err = io.StringIO(), io.StringIO()
    sys.stdout, sys.stderr = out, err
    try:
        exec(compile(request["code"], "<run stage>", "exec"), scope)
    except BaseException as error:
        sys.stdout, sys.stderr = _real
        lines = traceback.format_exception(type(error), error, error.__traceback__.tb_next)
        return {"ok": False, "error": "".join(lines), "stdout": out.getvalue(), "stderr": err.getvalue()}
    finally:
        sys.stdout, sys.stderr = _real
    outputs, objects = {}, {}
    for name, value in scope.items():
        if name == "context" or name.startswith("__"):
            continue
        if name in given and given[name] is value:
            continue
        if isinstance(value, (types.ModuleType, type)):
            continue
        try:
            json.dumps(value, allow_nan=False)
            outputs[name] = value
        except (TypeError, ValueError, RecursionError):
            key = len(_objects) + 1
            _objects[key] = value
            objects[name] = {"id": key, "display": _display(value)}
    return {"ok": True, "outputs": outputs, "objects": objects, "stdout": out.getvalue(), "stderr": err.getvalue()}

for _line in _proto_in:
    _request = json.loads(_line)
    try:
        _reply = _run(_request)
    except BaseException:
        sys.stdout, sys.stderr = _real
        _reply = {"ok": False, "error": traceback.format_exc(), "stdout": "", "stderr": ""}
    _reply["id"] = _request["id"]
    _proto_out.write(json.dumps(_reply).encode("utf-8") + b"\\n")
    _proto_out.flush()
`;
