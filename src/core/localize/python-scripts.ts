// Python helpers Rover writes to a temp dir at run time (never into the analysed tree). Kept as
// string constants so the bundle needs no extra files next to it.

/**
 * pytest plugin (`-p rover_pytest_cov`): starts coverage.py as early as pytest imports it and
 * switches the dynamic context to each test's node id, so a parametrized case gets its own context
 * (a frame-based context cannot see the parameter). Outcomes and failure text are written too, so
 * stack-trace frames come from pytest itself rather than from scraping its terminal output.
 */
export const PYTEST_PLUGIN = String.raw`
import json, os, sys
import coverage

_root = os.path.realpath(os.environ["ROVER_COV_ROOT"])
_cov = coverage.Coverage(
    data_file=os.environ["ROVER_COV_DATA"],
    config_file=False,
    include=[os.path.join(_root, "*")],
    omit=[os.path.join(_root, p) for p in ("*/site-packages/*", "*/dist-packages/*", "_deps/*", "*/.venv/*", "*/venv/*")],
    messages=False,
)
_cov.start()
_results = {}


def _outcome(prev, rep):
    if rep.failed:
        return "failed" if rep.when == "call" else "error"
    if rep.skipped:
        if hasattr(rep, "wasxfail"):
            return "xfail"
        return prev or "skipped"
    if rep.when == "call":
        return "xpass" if hasattr(rep, "wasxfail") else "passed"
    return prev


import pytest


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    # which test was running, should the run be killed for taking too long
    with open(os.environ["ROVER_COV_RESULTS"] + ".current", "w") as f:
        f.write(item.nodeid)
    yield


# A test's context covers its setup, call and teardown only. Making its report (formatting the
# traceback of a failure, ...) runs only for failing tests: measured, it would look like the bug.
_context = [""]
# pauses nest (an explained assert calls the explaining hook): only the outermost one resumes
_paused = [0]


def _switch(name):
    _context[0] = name
    if not _paused[0]:
        _cov.switch_context(name)


def _pause():
    _paused[0] += 1
    if _paused[0] == 1:
        _cov.switch_context("")


def _resume():
    _paused[0] -= 1
    if _paused[0] == 0:
        _cov.switch_context(_context[0])


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item):
    _switch(item.nodeid)
    yield
    _switch("")


# After the test function itself has returned or raised, the rest of the call phase is pytest's
# runner (for a failure: recording sys.last_traceback...). That is project code only when the
# project is pytest itself, and there its failure branch would look like the bug: not measured.
_after_call = [False]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    _switch(item.nodeid)
    yield
    if _after_call[0]:
        _after_call[0] = False
        _resume()
    _switch("")


@pytest.hookimpl(hookwrapper=True)
def pytest_pyfunc_call(pyfuncitem):
    yield
    if not _after_call[0]:
        _after_call[0] = True
        _pause()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    _switch(item.nodeid)
    yield
    _switch("")


# For the same reason, explaining a failed assert (the diff of two values) is not measured.
@pytest.hookimpl(hookwrapper=True)
def pytest_assertrepr_compare(config, op, left, right):
    _pause()
    try:
        yield
    finally:
        _resume()


# A failed assert in the project's own test code is explained by pytest's assertion helpers, which
# run for failing tests only: the reprs of the compared values (the project's own __repr__) and,
# when the project is pytest itself, the helpers themselves. That explaining is not measured, as it
# would outrank the bug. Asserts in files outside the project (a pytester run of a temp test file)
# are measured as usual: there the explaining is what is under test.
_in_root = {}


def _unmeasured_when_project_asserts(fn):
    def wrapper(*args, **kwargs):
        __tracebackhide__ = True
        caller = sys._getframe(1).f_code.co_filename
        inside = _in_root.get(caller)
        if inside is None:
            inside = _in_root[caller] = os.path.realpath(caller).startswith(_root + os.sep)
        if not inside or not _context[0]:
            return fn(*args, **kwargs)
        _pause()
        try:
            return fn(*args, **kwargs)
        finally:
            _resume()

    wrapper.__wrapped__ = fn
    return wrapper


try:
    from _pytest.assertion import rewrite as _rewrite

    # these call the project's reprs; the rest only matter when they are the project's own code
    _names = ["_saferepr", "_format_assertmsg"]
    if os.path.realpath(_rewrite.__file__).startswith(_root + os.sep):
        _names += ["_call_reprcompare", "_format_explanation", "_format_boolop", "_should_repr_global_name"]
    for _name in _names:
        if callable(getattr(_rewrite, _name, None)):
            setattr(_rewrite, _name, _unmeasured_when_project_asserts(getattr(_rewrite, _name)))
except Exception:
    pass


def pytest_runtest_logreport(report):
    r = _results.setdefault(report.nodeid, {"status": None, "text": ""})
    if r["status"] in ("failed", "error"):
        return
    r["status"] = _outcome(r["status"], report)
    if report.failed:
        try:
            r["text"] = str(report.longreprtext)[-20000:]
        except Exception:
            r["text"] = ""


def pytest_collectreport(report):
    if report.failed:
        _results.setdefault("<collect>:" + report.nodeid, {"status": "error", "text": str(report.longreprtext)[-5000:]})


def pytest_sessionfinish(session, exitstatus):
    _cov.stop()
    _cov.save()
    with open(os.environ["ROVER_COV_RESULTS"], "w") as f:
        json.dump(_results, f)
`;

/**
 * coverage.py plugin for runners Rover cannot hook (sympy's bin/test, unittest): a frame starts
 * a context when it is a test_* function defined in a test file. Coverage asks only while no
 * context is active, so helpers called from a test stay in that test's context. sympy's runner
 * entry point (named `test`, outside any test file) is never taken for a test.
 */
export const FRAME_PLUGIN = String.raw`
import os, re
import coverage

_root = os.path.realpath(os.environ.get("ROVER_COV_ROOT", os.getcwd()))
_test_file = re.compile(r"(^|/)(test_[^/]*|[^/]*_test|tests?)\.py$")
_test_dir = re.compile(r"(^|/)(tests?|testing)/")
_cache = {}


def _rel(filename):
    r = _cache.get(filename)
    if r is None:
        p = os.path.realpath(filename)
        r = os.path.relpath(p, _root) if p.startswith(_root + os.sep) else ""
        if r and not (_test_file.search(r) or (_test_dir.search(r) and os.path.basename(r).startswith("test"))):
            r = ""
        _cache[filename] = r
    return r


class RoverContexts(coverage.CoveragePlugin):
    def dynamic_context(self, frame):
        name = frame.f_code.co_name
        if not name.startswith("test"):
            return None
        rel = _rel(frame.f_code.co_filename)
        if not rel:
            return None
        this = frame.f_locals.get("self")
        if this is not None and not isinstance(this, type):
            return rel + "::" + type(this).__name__ + "::" + name
        return rel + "::" + name


def coverage_init(reg, options):
    reg.add_dynamic_context(RoverContexts())
`;

/** Reads a coverage data file with coverage's own API: {file: {context: [lines]}} as JSON on stdout. */
export const READ_DATA = String.raw`
import json, sys
from coverage import CoverageData
d = CoverageData(sys.argv[1])
d.read()
out = {}
for f in d.measured_files():
    by_ctx = {}
    for line, ctxs in d.contexts_by_lineno(f).items():
        for c in ctxs:
            if c:
                by_ctx.setdefault(c, []).append(line)
    if by_ctx:
        out[f] = by_ctx
json.dump(out, sys.stdout)
`;

/**
 * Exit code 3 when coverage.py cannot be imported by the project's interpreter; else prints its
 * version and which tracer it will use ("C", or "Python": several times slower).
 */
export const PROBE = String.raw`
import sys
try:
    import coverage
except Exception as e:
    print(str(e)); sys.exit(3)
try:
    from coverage.collector import CTracer
except Exception:
    CTracer = None
print(coverage.__version__, "C" if CTracer else "Python")
`;
