# SPDX-License-Identifier: Apache-2.0
# hook_runner.py: hwb's in-process PEP 517 hook runner, embedded in the hwb
# binary (hook_runner.S) and run as `python -s -c SCRIPT HOOK DIR` inside the
# sandbox, one fresh process per hook. It reads DIR/input.json
# ({"backend", "backend_path", "kwargs"}) and writes DIR/output.json with
# {"return_val"} or one of the flags "unsupported", "no_backend",
# "backend_invalid", "hook_missing", "hook_error" (with "traceback").
# In a container build with --allow-network, "proxy_relay" names the
# proxy's Unix socket: the runner forwards 127.0.0.1:3128 to it, as the
# sandbox's pid 1 does (no hwb process runs inside a container).
import importlib
import json
import os
import socket
import sys
import threading
import traceback

OPTIONAL_DEFAULTS = {
    "get_requires_for_build_wheel": [],
    "get_requires_for_build_sdist": [],
    "get_requires_for_build_editable": [],
}


def _load(spec, backend_path):
    # PEP 517: backend-path entries come first on sys.path, and an in-tree
    # backend must be loaded from them.
    for entry in reversed(backend_path):
        sys.path.insert(0, entry)
    mod_name, _, obj_path = spec.partition(":")
    obj = importlib.import_module(mod_name)
    if backend_path:
        origin = os.path.realpath(getattr(obj, "__file__", "") or "")
        roots = [os.path.realpath(p) for p in backend_path]
        if not any(origin == r or origin.startswith(r + os.sep) for r in roots):
            raise LookupError("backend %r was loaded from %r, not from backend-path" % (spec, origin))
    for part in filter(None, obj_path.split(".")):
        obj = getattr(obj, part)
    return obj


def _run(hook, request):
    try:
        backend = _load(request["backend"], request.get("backend_path") or [])
    except LookupError as e:
        return {"backend_invalid": True, "traceback": str(e)}
    except Exception:
        return {"no_backend": True, "traceback": traceback.format_exc()}
    fn = getattr(backend, hook, None)
    if fn is None:
        if hook in OPTIONAL_DEFAULTS:
            return {"return_val": OPTIONAL_DEFAULTS[hook]}
        return {"hook_missing": True, "missing_hook_name": hook}
    unsupported = getattr(backend, "UnsupportedOperation", None)
    try:
        return {"return_val": fn(**request["kwargs"])}
    except Exception as e:
        if unsupported is not None and isinstance(e, unsupported):
            return {"unsupported": True, "traceback": traceback.format_exc()}
        return {"hook_error": True, "traceback": traceback.format_exc()}


def _pump(src, dst):
    how = socket.SHUT_WR  # end of data: pass the half-close on
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        how = socket.SHUT_RDWR
    try:
        dst.shutdown(how)
    except OSError:
        pass


def _relay(unix_path):
    # Only hwb's proxy is reachable, and it enforces the allow list: the
    # relay adds no route the build did not already have.
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 3128))
    srv.listen(64)

    def serve():
        while True:
            conn, _ = srv.accept()
            up = socket.socket(socket.AF_UNIX)
            try:
                up.connect(unix_path)
            except OSError:
                conn.close()
                up.close()
                continue
            threading.Thread(target=_pump, args=(conn, up), daemon=True).start()
            threading.Thread(target=_pump, args=(up, conn), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()


def main():
    hook, work = sys.argv[1], sys.argv[2]
    # python -c puts the working directory (the source tree) first on
    # sys.path; a backend is imported from its requirements or backend-path.
    if sys.path and sys.path[0] in ("", os.getcwd()):
        del sys.path[0]
    me = os.getpid()
    with open(os.path.join(work, "input.json"), encoding="utf-8") as f:
        request = json.load(f)
    if request.get("proxy_relay"):
        _relay(request["proxy_relay"])
    result = _run(hook, request)
    if os.getpid() != me:
        # A process the backend forked returned here: only the hook's own
        # process reports.
        os._exit(1)
    if "traceback" in result:
        sys.stderr.write(result["traceback"])
    tmp = os.path.join(work, "output.json.tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(result, f)
    os.replace(tmp, os.path.join(work, "output.json"))


main()
