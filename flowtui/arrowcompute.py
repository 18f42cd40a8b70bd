"""Arrow's compute functions, each made when first used: ``pyarrow.compute`` without its import.

Why: importing ``pyarrow.compute`` builds a Python wrapper, a signature and a docstring
(numpydoc text parsed with a vendored parser) for every one of Arrow's ~280 kernels:
0.05-0.07 s of CPU, before the first line of every ``cat`` (issue 21 item 4), for the dozen
kernels the first block needs. The kernels themselves live in ``pyarrow._compute`` (cheap
to import: the registry is C++); this module makes the wrapper of a kernel the first time
its name is asked for. Only the plain calls go straight to the kernel: data arguments,
then the options as an options object, or as its constructor's arguments (positional after
the data, or keywords). Every other call — an Expression, a wrong number of arguments,
options given twice or of another type — is handed to ``pyarrow.compute``'s own function
(imported then), so its answers and its errors are Arrow's, word for word.

Use it as ``from flowtui import arrowcompute as pc``. ``cast``, ``take`` and ``fill_null``
are not kernels in ``pyarrow.compute`` (they are Python functions over the ``cast``,
``take`` and ``coalesce`` kernels) and the first block needs them, so they are here too,
with the same hand-over for anything but the plain call. Anything that is not a kernel
(``pc.field``, ``pc.scalar``, ``index``, …) comes from ``pyarrow.compute`` itself.

Arrow's own methods that compute (``Array.cast``, ``.take``, ``.filter``, ``.fill_null``,
``RecordBatch.filter``, …) import ``pyarrow.compute``: code that runs before the first line
calls the functions here instead (``pc.cast(column, type)``, not ``column.cast(type)``);
tests/test_cli_startup.py fails when the import comes back.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pyarrow as pa
from pyarrow import _compute

#: Python names of kernels whose own name is a Python keyword.
_KEYWORDS = {"and_": "and", "or_": "or"}
_LOCK = threading.Lock()


def __getattr__(name: str) -> Any:
    """The function ``name`` (made once, then a plain module attribute)."""
    if name.startswith("__"):
        raise AttributeError(name)
    with _LOCK:
        made = globals().get(name)
        if made is None:
            made = _direct(name) or getattr(_full(), name)  # AttributeError: no such name
            globals()[name] = made
    return made


def _full() -> Any:
    import pyarrow.compute

    return pyarrow.compute


def _arrows(name: str) -> Callable[..., Any]:
    """``pyarrow.compute``'s own function ``name``, for the calls not taken straight."""
    def call(*args: Any, **settings: Any) -> Any:
        return getattr(_full(), name)(*args, **settings)

    return call


def _direct(name: str) -> Callable[..., Any] | None:
    """A caller of kernel ``name`` from Arrow's registry, or None when ``name`` is not a
    kernel that can be called so (then ``pyarrow.compute`` answers for it)."""
    try:
        kernel = _compute.get_function(_KEYWORDS.get(name, name))
        doc = kernel._doc  # noqa: SLF001 - which options the kernel reads; no public name
        options_type = getattr(_compute, doc.options_class) if doc.options_class else None
        required = bool(doc.options_required)
    except Exception:  # noqa: BLE001 - not a kernel, or an Arrow whose internals moved
        return None
    if kernel.kind == "hash_aggregate" or (kernel.kind == "scalar_aggregate"
                                           and kernel.arity == 0):
        return None  # called by group-bys only, not as a function
    arity = kernel.arity
    slow = _arrows(name)

    def call(*args: Any, **settings: Any) -> Any:
        data, extra = (args, ()) if arity is Ellipsis else (args[:arity], args[arity:])
        options = settings.pop("options", None)
        pool = settings.pop("memory_pool", None)
        given = bool(extra or settings) and options is None and options_type is not None
        if given and options_type is not None:
            try:
                options = options_type(*extra, **settings)
            except Exception:  # noqa: BLE001 - Arrow's function says what is wrong
                options = None
        plain = (len(data) == arity or arity is Ellipsis) \
            and (given or not (extra or settings)) \
            and (options is not None or not (required or given)) \
            and (options is None or isinstance(options, options_type or ())) \
            and not (data and isinstance(data[0], _compute.Expression))
        if not plain:
            if options is not None and not given:
                settings["options"] = options
            if pool is not None:
                settings["memory_pool"] = pool
            return slow(*args, **settings)
        return kernel.call(list(data), options, pool)

    call.__name__ = call.__qualname__ = name
    call.__doc__ = f"Arrow's compute function {name!r} (see pyarrow.compute.{name})."
    # What pyarrow.compute's wrappers say they call (tests compare the two).
    call.__arrow_compute_function__ = {  # type: ignore[attr-defined]
        "name": kernel.name, "arity": arity, "options_class": doc.options_class,
        "options_required": doc.options_required}
    return call


def cast(arr: Any, target_type: Any = None, safe: bool | None = None, options: Any = None,
         memory_pool: Any = None) -> Any:
    """``pyarrow.compute.cast``: straight to the kernel for a cast to an Arrow type."""
    if options is not None or not isinstance(target_type, pa.DataType):
        return _full().cast(arr, target_type, safe=safe, options=options,
                            memory_pool=memory_pool)
    made = (_compute.CastOptions.unsafe(target_type) if safe is False
            else _compute.CastOptions.safe(target_type))
    return _compute.call_function("cast", [arr], made, memory_pool)


def take(data: Any, indices: Any, *, boundscheck: bool = True, memory_pool: Any = None
         ) -> Any:
    """``pyarrow.compute.take``: the ``take`` kernel with its bounds checked by default."""
    return _compute.call_function("take", [data, indices],
                                  _compute.TakeOptions(boundscheck=boundscheck), memory_pool)


def fill_null(values: Any, fill_value: Any) -> Any:
    """``pyarrow.compute.fill_null``: nulls replaced (the ``coalesce`` kernel); a plain
    Python value is read as the column's type, anything else as Arrow's function reads it."""
    if isinstance(fill_value, (pa.Array, pa.ChunkedArray, pa.Scalar)):
        return _full().fill_null(values, fill_value)
    return _compute.call_function("coalesce", [values, pa.scalar(fill_value, type=values.type)])
